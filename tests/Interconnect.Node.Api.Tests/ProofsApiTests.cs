using System.Net;
using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Api.AeoOperators;
using Interconnect.Node.Api.Proofs;
using Interconnect.Node.Api.Tests.Support;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class ProofsApiTests(ApiNode node)
{
    private IKeyResolver Keys => new StaticKeyResolver([("NL", node.PublicKey)]);

    private async Task<AeoOperatorResponse> CertifiedAsync() =>
        await node.PostAsync<AeoOperatorResponse>("/api/aeo-operators", new
        {
            aeoNumber = ApiNode.NewAeoNumber(), name = "Rotterdam Forwarding N.V.", address = "Kade 2", programme = "AEOC", certifiedOn = "2026-03-01",
        });

    [Fact]
    public async Task Checkpoint_IsSignedByTheNode_AndItsEncodingDecodesToTheSameValues()
    {
        await CertifiedAsync();

        var checkpoint = await node.GetAsync<CheckpointResponse>("/api/log/checkpoint");

        var signed = SignedCheckpoint.Decode(Convert.FromBase64String(checkpoint.SignedCheckpoint)).Value!;
        Assert.Null(signed.Verify(Keys));
        Assert.Equal("NL", checkpoint.Origin);
        Assert.Equal(signed.Checkpoint.TreeSize, checkpoint.TreeSize);
        Assert.Equal(signed.Checkpoint.RootHash.ToString(), checkpoint.RootHash);
        Assert.Equal(node.Node.Signer.KeyId, checkpoint.KeyId);
        Assert.True(checkpoint.TreeSize >= 1);
    }

    [Fact]
    public async Task Inclusion_OfAnEntry_VerifiesAgainstTheCheckpointRoot()
    {
        var aeo = await CertifiedAsync();
        var checkpoint = await node.GetAsync<CheckpointResponse>("/api/log/checkpoint");

        var inclusion = await node.GetAsync<InclusionProofResponse>($"/api/log/inclusion?entryHash={aeo.LastEntryHash}&treeSize={checkpoint.TreeSize}");

        var proof = InclusionProof.Decode(Convert.FromBase64String(inclusion.Proof)).Value!;
        var entryHash = Hash256.FromHex(aeo.LastEntryHash!);
        var verdict = MerkleVerifier.VerifyInclusion(MerkleHash.EntryLeaf(entryHash), proof, Hash256.FromHex(checkpoint.RootHash));
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(MerkleHash.EntryLeaf(entryHash).ToString(), inclusion.LeafHash);
        Assert.Equal(proof.Path.Select(h => h.ToString()), inclusion.Path);
        Assert.Equal(aeo.AeoNumber, inclusion.Entity.Id);
        Assert.Equal(1UL, inclusion.Sequence);
    }

    [Fact]
    public async Task Inclusion_AgainstAnotherRoot_DoesNotVerify()
    {
        var aeo = await CertifiedAsync();
        var before = await node.GetAsync<CheckpointResponse>("/api/log/checkpoint");
        await CertifiedAsync();
        var after = await node.GetAsync<CheckpointResponse>("/api/log/checkpoint");

        var inclusion = await node.GetAsync<InclusionProofResponse>($"/api/log/inclusion?entryHash={aeo.LastEntryHash}&treeSize={before.TreeSize}");

        var proof = InclusionProof.Decode(Convert.FromBase64String(inclusion.Proof)).Value!;
        var leaf = MerkleHash.EntryLeaf(Hash256.FromHex(aeo.LastEntryHash!));
        Assert.True(MerkleVerifier.VerifyInclusion(leaf, proof, Hash256.FromHex(before.RootHash)).IsValid);
        Assert.False(MerkleVerifier.VerifyInclusion(leaf, proof, Hash256.FromHex(after.RootHash)).IsValid);
    }

    [Fact]
    public async Task Consistency_BetweenTwoCheckpoints_Verifies()
    {
        await CertifiedAsync();
        var older = await node.GetAsync<CheckpointResponse>("/api/log/checkpoint");
        await CertifiedAsync();
        var newer = await node.GetAsync<CheckpointResponse>("/api/log/checkpoint");

        var consistency = await node.GetAsync<ConsistencyProofResponse>($"/api/log/consistency?from={older.TreeSize}&to={newer.TreeSize}");

        var proof = ConsistencyProof.Decode(Convert.FromBase64String(consistency.Proof)).Value!;
        var verdict = MerkleVerifier.VerifyConsistency(proof, Hash256.FromHex(older.RootHash), Hash256.FromHex(newer.RootHash));
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal((older.TreeSize, newer.TreeSize), (consistency.FromSize, consistency.ToSize));
    }

    [Fact]
    public async Task Inclusion_HashNotHex_Returns400NamingEntryHash()
    {
        var problem = await Problem.ReadAsync(await node.GetAsync("/api/log/inclusion?entryHash=xyz&treeSize=1"), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("entryHash"));
    }

    [Fact]
    public async Task Inclusion_TreeLargerThanTheLog_Returns400NamingTreeSize()
    {
        var aeo = await CertifiedAsync();

        var problem = await Problem.ReadAsync(
            await node.GetAsync($"/api/log/inclusion?entryHash={aeo.LastEntryHash}&treeSize={node.Node.Log.Size + 1}"), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("treeSize"));
    }

    [Fact]
    public async Task Inclusion_OfAnUnknownEntry_Returns404()
    {
        await CertifiedAsync();

        await Problem.ReadAsync(
            await node.GetAsync($"/api/log/inclusion?entryHash={new string('a', 64)}&treeSize={node.Node.Log.Size}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Consistency_FromLargerThanTo_Returns400()
    {
        await CertifiedAsync();
        await CertifiedAsync();

        var problem = await Problem.ReadAsync(await node.GetAsync("/api/log/consistency?from=2&to=1"), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("from"));
    }
}
