using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;

namespace Interconnect.Grains.Tests.Runtime;

/// <summary>Two replicas of one administration's node over one store write the same entity at once.</summary>
public sealed class ReplicaConcurrencyTests
{
    private const string Aeo = "NLAEOF0000777";
    private const int CallsPerReplica = 100;

    [Fact]
    public async Task TwoReplicas_HammeringOneEntity_NeverForkAndLogEveryEntryOnce()
    {
        // Arrange: two runtimes, two node logs, one store, one key.
        var store = new InMemoryNodeStore();
        using var signer = EcdsaP256Signer.Generate();
        var time = new ManualTime();
        await using var replicaA = TestNode.Start("NL", store, signer, time: time);
        await using var replicaB = TestNode.Start("NL", store, signer, time: time);
        await replicaA.Grain<IAeoOperatorGrain>(Aeo).Certify(new("Example Logistics B.V.", "Havenstraat 1", "AEOF", new DateOnly(2026, 1, 1), null));

        // Act: every call is legal in any order, so each either commits or gives up on conflicts.
        using var start = new Barrier(2);
        var results = await Task.WhenAll(
            Task.Run(() => Hammer(replicaA, "A", start)),
            Task.Run(() => Hammer(replicaB, "B", start)));

        // Assert
        var succeeded = results.Sum(r => r.Succeeded);
        var gaveUp = results.Sum(r => r.GaveUp);
        Assert.Equal(2 * CallsPerReplica, succeeded + gaveUp);
        Assert.True(succeeded > CallsPerReplica, $"Only {succeeded} of {2 * CallsPerReplica} calls succeeded.");

        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, Aeo);
        var entries = await store.Entities.ReadAsync(entity, 1, 1000);
        Assert.Equal(succeeded + 1, entries.Count);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (ulong)i), entries.Select(e => e.Entry.Body.Sequence));
        var chain = ChainVerifier.Verify(entries.Select(e => e.Entry), new StaticKeyResolver([("NL", signer.PublicKey)]));
        Assert.True(chain.IsValid, chain.Fault?.Describe());
        Assert.All(entries, e => Assert.Null(e.VerifyFields()));

        var names = entries.Skip(1).Select(e => e["name"]).ToList();
        Assert.Equal(succeeded, names.Distinct().Count());

        var leaves = await store.Log.ReadAsync(0, 1000);
        Assert.Equal(entries.Count, leaves.Count);
        Assert.Equal(
            entries.Select(e => e.Entry.Hash).OrderBy(h => h.ToString(), StringComparer.Ordinal),
            leaves.Select(l => l.EntryHash).OrderBy(h => h.ToString(), StringComparer.Ordinal));

        var checkpointA = await replicaA.Log.CheckpointAsync();
        var checkpointB = await replicaB.Log.CheckpointAsync();
        Assert.Equal(entries.Count, checkpointA.Checkpoint.TreeSize);
        Assert.Equal(checkpointA.Checkpoint.RootHash, checkpointB.Checkpoint.RootHash);
        foreach (var entry in entries)
        {
            var proof = await replicaB.Log.ProveInclusionAsync(entry.Entry.Hash, checkpointB.Checkpoint.TreeSize);
            Assert.NotNull(proof);
            Assert.True(MerkleVerifier.VerifyInclusion(MerkleHash.EntryLeaf(entry.Entry.Hash), proof.Value.Proof, checkpointB.Checkpoint.RootHash).IsValid);
        }

        var head = await store.Entities.GetHeadAsync(entity);
        Assert.Equal((ulong)entries.Count, head!.LoggedThrough);
    }

    private static async Task<(int Succeeded, int GaveUp)> Hammer(TestNode replica, string name, Barrier start)
    {
        var grain = replica.Grain<IAeoOperatorGrain>(Aeo);
        await grain.GetState(); // activate before the race so both replicas start writing together
        start.SignalAndWait(TimeSpan.FromSeconds(30));
        int succeeded = 0, gaveUp = 0;
        for (var i = 0; i < CallsPerReplica; i++)
        {
            try
            {
                await grain.Amend(new AmendAeoOperator($"Example Logistics {name}{i} B.V.", "Havenstraat 1"));
                succeeded++;
            }
            catch (GrainConcurrencyException)
            {
                gaveUp++;
            }
        }

        return (succeeded, gaveUp);
    }
}

public sealed class NodeLogCheckpointTests
{
    [Fact]
    public async Task Checkpoint_TwiceAtTheSameTreeSize_ReturnsTheStoredCheckpoint()
    {
        var store = new InMemoryNodeStore();
        using var signer = EcdsaP256Signer.Generate();
        await using var replicaA = TestNode.Start("NL", store, signer);
        await using var replicaB = TestNode.Start("NL", store, signer);
        await replicaA.Grain<IAeoOperatorGrain>("NLAEOF0000001").Certify(new("Example B.V.", "Kade 1", "AEOF", new DateOnly(2026, 1, 1), null));
        var first = await replicaA.Log.CheckpointAsync();
        replicaB.Time.Advance(TimeSpan.FromMinutes(5));

        var again = await replicaA.Log.CheckpointAsync();
        var fromOtherReplica = await replicaB.Log.CheckpointAsync();

        Assert.Equal(first.Encode(), again.Encode());
        Assert.Equal(first.Encode(), fromOtherReplica.Encode());
        Assert.Null(first.Verify(new StaticKeyResolver([("NL", signer.PublicKey)])));
    }
}
