using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Log;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;

namespace Interconnect.Cluster.Tests;

/// <summary>
/// Each administration a cluster of three silos; officers work at NL from every silo while silos die
/// or restart. Afterwards nothing acknowledged is lost or doubled, every chain and NL's Merkle log
/// verify, and JP holds every NL entry the MRA entitles it to.
/// </summary>
public sealed class ClusterFaultTests
{
    private const short Silos = 3;

    [Fact]
    public Task SiloKilledUnderLoad_NothingAcknowledgedIsLostOrDoubled_AndThePartnerHoldsEverything() =>
        FaultUnderLoadAsync(acknowledgedFirst: 30, async (mesh, load) =>
        {
            // Not stopped gracefully: the silo's process is gone, with whatever it was doing.
            var victim = mesh.Nl.Silos[1];
            await mesh.Nl.Cluster.KillSiloAsync(victim);
            await WaitForAcknowledgedAsync(load, Acknowledged(load) + 30);
            Assert.Equal(Silos - 1, mesh.Nl.Silos.Count);
        });

    [Fact]
    public Task RollingRestartUnderLoad_NothingAcknowledgedIsLostOrDoubled_AndThePartnerHoldsEverything() =>
        FaultUnderLoadAsync(acknowledgedFirst: 20, async (mesh, load) =>
        {
            // Every original silo in turn: a new one joins, then the old one stops gracefully.
            foreach (var silo in mesh.Nl.Silos.ToList())
            {
                await mesh.Nl.Cluster.StartAdditionalSiloAsync();
                await mesh.Nl.Cluster.StopSiloAsync(silo);
                await WaitForAcknowledgedAsync(load, Acknowledged(load) + 10);
            }

            Assert.Equal(Silos, mesh.Nl.Silos.Count);
        });

    [Fact]
    public async Task SiloDiesBetweenItsTwoAppends_TheEntryItStoredIsLogged_AndReachesThePartner()
    {
        await using var mesh = await ClusterMesh.StartAsync(Silos);
        var node = mesh.Nl.AnyNode;
        await node.Log.SizeAsync();
        var grains = mesh.Nl.Service<IGrainFactory>();
        var logSilo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<INodeLogGrain>("NL"));

        // The dying silo stored an entry in its entity's ledger and did not live to log it. It does
        // not hold the log grain, so no activation of the log recovers at start what it left.
        var victim = mesh.Nl.Silos.Skip(1).First(s => !s.SiloAddress.Equals(logSilo));
        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0999001");
        var payload = SealedPayload.Seal(new Dictionary<string, string>
        {
            ["name"] = "Orphan B.V.",
            ["address"] = "Kade 9, Rotterdam",
            ["programme"] = "AEOF",
            ["certifiedOn"] = "2026-01-01",
            ["validUntil"] = string.Empty,
        });
        var body = new EntryBody("NL", entity.Kind, entity.Id, 1, Hash256.Zero, EntryBody.TruncateToMicros(node.Time.GetUtcNow()), "aeo.certified", payload.Commitments, node.Signer.KeyId, node.Signer.Algorithm);
        var orphan = new DisclosedEntry(LedgerEntry.Sign(body, node.Signer), payload.Fields);
        await node.Store.Entities.AppendAsync(entity, 0, [orphan]);
        await mesh.Nl.Cluster.KillSiloAsync(victim);

        // Once the cluster declares the silo dead, the survivors log what it left, and the partner gets it.
        await ClusterMesh.WaitForAsync(async () => await node.Store.Log.FindAsync(orphan.Entry.Hash) is not null, $"NL to log {entity}#1");
        await ClusterMesh.WaitForAsync(
            async () => (await ClusterMesh.ChainAsync(mesh.Jp, entity)).Count == 1, $"JP to hold {entity} ({await mesh.DescribeAsync(entity)})");
        Assert.Equal(orphan.Entry.Hash, (await ClusterMesh.ChainAsync(mesh.Jp, entity))[0].Entry.Hash);
        Assert.Equal(1UL, (await node.Store.Entities.GetHeadAsync(entity))!.LoggedThrough);
    }

    // Officers work at NL from every silo; once some calls are acknowledged the fault happens under
    // that load, then the load stops and everything is checked.
    private static async Task FaultUnderLoadAsync(int acknowledgedFirst, Func<ClusterMesh, OfficerLoad, Task> fault)
    {
        await using var mesh = await ClusterMesh.StartAsync(Silos);
        var load = new OfficerLoad(mesh.Nl, officers: 6);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await WaitForAcknowledgedAsync(load, acknowledgedFirst);
        await fault(mesh, load);
        stop.Cancel();
        await running;
        await CheckAsync(mesh, load);
    }

    private static int Acknowledged(OfficerLoad load) => load.Calls.Count(c => c.Acknowledged is not null);

    private static Task WaitForAcknowledgedAsync(OfficerLoad load, int count) =>
        ClusterMesh.WaitForAsync(() => Task.FromResult(Acknowledged(load) >= count), $"{count} acknowledged officer calls");

    private static async Task CheckAsync(ClusterMesh mesh, OfficerLoad load)
    {
        var nl = mesh.Nl.AnyNode;
        var keys = nl.Keys;
        var chains = new Dictionary<string, IReadOnlyList<Ledger.Disclosure.DisclosedEntry>>();
        foreach (var operatorCalls in load.Calls.GroupBy(c => c.AeoNumber))
        {
            var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, operatorCalls.Key);
            var chain = await ClusterMesh.ChainAsync(mesh.Nl, entity);
            chains[operatorCalls.Key] = chain;

            // Every chain verifies: signatures, links, field digests.
            var verification = ChainVerifier.Verify(chain.Select(e => e.Entry), keys);
            Assert.True(verification.IsValid, $"{entity}: {verification}");
            Assert.All(chain, e => Assert.Null(e.VerifyFields()));

            // Every acknowledged call is in its chain, at the sequence and with the hash it answered.
            foreach (var call in operatorCalls.Where(c => c.Acknowledged is not null))
            {
                var view = call.Acknowledged!;
                Assert.True(chain.Count >= (int)view.Sequence, $"{entity}: acknowledged {call.EntryType} at sequence {view.Sequence}, but the chain has {chain.Count} entries.");
                Assert.Equal(view.LastEntryHash, chain[(int)view.Sequence - 1].Entry.Hash.ToString());
                Assert.Equal(call.EntryType, chain[(int)view.Sequence - 1].Entry.Body.EntryType);
            }

            // Each step is issued once per operator, so each entry type is in the chain at most once
            // (exactly once for the acknowledged ones), and no entry is there that no call asked for.
            Assert.Equal(chain.Count, chain.Select(e => e.Entry.Body.EntryType).Distinct().Count());
            Assert.True(chain.Count <= operatorCalls.Count(), $"{entity}: {chain.Count} entries for {operatorCalls.Count()} calls.");
        }

        Assert.True(load.Calls.Count(c => c.Acknowledged is not null) > 60);

        // An entry that a killed silo stored but had not logged yet is logged once the cluster
        // declares that silo dead (until then it is neither provable nor replicated).
        var chained = chains.Values.SelectMany(c => c).Select(e => e.Entry.Hash).ToList();
        await ClusterMesh.WaitForAsync(
            async () => (await nl.Store.Entities.FindUnloggedAsync("NL").CountAsync()) == 0,
            "NL to log every entry its silos stored");

        // NL's Merkle log: every entry NL originated is a leaf exactly once, and the checkpoint the
        // log grain signs now commits to exactly these leaves.
        var checkpoint = await nl.Log.CheckpointAsync();
        var leaves = await nl.Store.Log.ReadAsync(0, (int)checkpoint.Checkpoint.TreeSize + 1);
        Assert.Equal(checkpoint.Checkpoint.TreeSize, leaves.Count);
        Assert.Equal(leaves.Count, leaves.Select(l => l.EntryHash).Distinct().Count());
        Assert.Null(checkpoint.Verify(keys));
        Assert.Equal(checkpoint.Checkpoint.RootHash, MerkleLog.Load(leaves.Select(l => l.EntryHash)).Root());
        var logged = leaves.Select(l => l.EntryHash).ToHashSet();
        Assert.All(chained, hash => Assert.Contains(hash, logged));
        foreach (var leaf in leaves)
        {
            var stored = await nl.Store.Entities.ReadAsync(leaf.Entity, leaf.Sequence, 1);
            Assert.Equal(leaf.EntryHash, Assert.Single(stored).Entry.Hash);
        }

        // JP holds every entry of every operator NL certified: the MRA entitles it to all of them.
        foreach (var (number, chain) in chains.Where(c => c.Value.Count > 0))
        {
            var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, number);
            await ClusterMesh.WaitForAsync(
                async () => (await ClusterMesh.ChainAsync(mesh.Jp, entity)).Count == chain.Count,
                $"JP to hold {entity} through {chain.Count} ({await mesh.DescribeAsync(entity)})");
            var held = await ClusterMesh.ChainAsync(mesh.Jp, entity);
            Assert.Equal(chain.Select(e => e.Entry.Hash), held.Select(e => e.Entry.Hash));
        }
    }
}
