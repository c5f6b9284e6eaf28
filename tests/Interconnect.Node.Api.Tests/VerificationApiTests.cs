using System.Net;
using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Api.AeoOperators;
using Interconnect.Node.Api.Ledgers;
using Interconnect.Node.Api.Proofs;
using Interconnect.Node.Api.Tests.Support;
using Interconnect.Node.Api.Verification;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class VerificationApiTests(ApiNode node)
{
    /// <summary>What an auditor does with the answer, offline: entry signature, public fields, inclusion, checkpoint signature.</summary>
    private void VerifyOffline(LedgerEntryResponse shown, InclusionProofResponse inclusion, CheckpointResponse checkpoint)
    {
        var keys = new StaticKeyResolver([("NL", node.PublicKey)]);
        var entry = LedgerEntry.Decode(Convert.FromBase64String(shown.Encoded)).Value!;
        Assert.Equal(shown.EntryHash, entry.Hash.ToString());
        Assert.Null(Ledger.Chains.ChainVerifier.VerifySignature(entry, keys));
        foreach (var (name, value) in shown.Fields)
        {
            Assert.Equal(entry.Body.Field(name)!.Digest, FieldDigest.Compute(Convert.FromBase64String(shown.Salts[name]), name, value));
        }

        var signed = SignedCheckpoint.Decode(Convert.FromBase64String(checkpoint.SignedCheckpoint)).Value!;
        Assert.Null(signed.Verify(keys));
        var proof = InclusionProof.Decode(Convert.FromBase64String(inclusion.Proof)).Value!;
        Assert.True(MerkleVerifier.VerifyInclusion(MerkleHash.EntryLeaf(entry.Hash), proof, signed.Checkpoint.RootHash).IsValid);
    }

    [Fact]
    public async Task VerifyAeo_Suspended_ShowsTheStatusWithProofs_AndWithholdsTheReason()
    {
        var aeo = await node.CertifyAsync();
        await node.PostAsync<AeoOperatorResponse>($"/api/aeo-operators/{aeo.AeoNumber}/suspend", new { reason = "Confidential audit finding" });

        var verified = await node.GetAsync<AeoVerificationResponse>($"/api/verify/aeo/{aeo.AeoNumber}");

        Assert.Equal(("suspended", "NL", "AEOF"), (verified.Status, verified.Administration, verified.Programme));
        Assert.Equal("aeo.suspended", verified.LatestEntry.EntryType);
        Assert.Equal("suspended", verified.LatestEntry.Fields["status"]);
        Assert.DoesNotContain("reason", verified.LatestEntry.Fields.Keys);
        Assert.Contains("reason", verified.LatestEntry.WithheldFields);
        Assert.Equal(verified.LatestEntry.EntryHash, verified.Inclusion.EntryHash);
        Assert.Equal(verified.Checkpoint.TreeSize, verified.Inclusion.TreeSize);
        VerifyOffline(verified.LatestEntry, verified.Inclusion, verified.Checkpoint);
    }

    [Fact]
    public async Task VerifyAeo_Unknown_Returns404()
    {
        await Problem.ReadAsync(await node.GetAsync($"/api/verify/aeo/{ApiNode.NewAeoNumber()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task VerifyCertificate_Replaced_ShowsBothDocumentsStatusWithProofs()
    {
        var ucr = ApiNode.NewUcr();
        var number = $"PC-{ucr}-1";
        await node.DeclareAsync(ucr);
        await node.AttachAsync(ucr, number);
        await node.PostAsync<Shipments.ShipmentResponse>($"/api/shipments/{ucr}/documents/{number}/replace", new
        {
            number = number + "R", issuedOn = "2026-11-21", contentDigest = Scenarios.Digest('c'), reason = "Wrong quantity",
        });

        var old = await node.GetAsync<CertificateVerificationResponse>($"/api/verify/certificate/{number}");
        var replacement = await node.GetAsync<CertificateVerificationResponse>($"/api/verify/certificate/{number}R");

        Assert.Equal(("replaced", number + "R", ucr), (old.Status, old.ReplacedBy, old.Ucr));
        Assert.Equal(("issued", number, "phytosanitary-certificate"), (replacement.Status, replacement.Replaces, replacement.DocumentType));
        Assert.Equal("shipment.document-replaced", old.Entry.EntryType);
        Assert.DoesNotContain("reason", old.Entry.Fields.Keys);
        VerifyOffline(old.Entry, old.Inclusion, old.Checkpoint);
    }

    [Fact]
    public async Task VerifyCertificate_NumberOnTwoConsignments_Returns409ListingThem_UntilUcrSaysWhich()
    {
        var (first, second) = (ApiNode.NewUcr(), ApiNode.NewUcr());
        var number = $"CO-{first}";
        foreach (var ucr in new[] { first, second })
        {
            await node.DeclareAsync(ucr);
            await node.AttachAsync(ucr, number);
        }

        var problem = await Problem.ReadAsync(await node.GetAsync($"/api/verify/certificate/{number}"), HttpStatusCode.Conflict);
        var chosen = await node.GetAsync<CertificateVerificationResponse>($"/api/verify/certificate/{number}?ucr={second}");

        Assert.Equal("urn:interconnect:problem:ambiguous", problem.Type);
        Assert.Equal([first, second], problem.Document.GetProperty("candidates").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(second, chosen.Ucr);
    }

    [Fact]
    public async Task VerifyCertificate_Unknown_Returns404()
    {
        await Problem.ReadAsync(await node.GetAsync("/api/verify/certificate/NO-SUCH-CERTIFICATE"), HttpStatusCode.NotFound);
    }
}
