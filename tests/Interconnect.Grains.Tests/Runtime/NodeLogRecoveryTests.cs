using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;

namespace Interconnect.Grains.Tests.Runtime;

public sealed class NodeLogRecoveryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task StartAsync_EntriesAppendedButNeverLogged_AreLoggedInOrder()
    {
        // Arrange: replica A appended entry 1 and crashed before logging it; replica B appended entry 2.
        using var signer = EcdsaP256Signer.Generate();
        var store = new InMemoryNodeStore();
        await store.InitializeAsync();
        var entity = new EntityKey("NL", "aeo-operator", "NLAEOF0000123");
        var first = Sign(signer, 1, Hash256.Zero, Start);
        var second = Sign(signer, 2, first.Entry.Hash, Start.AddSeconds(1));
        await store.Entities.AppendAsync(entity, 0, [first]);
        await store.Entities.AppendAsync(entity, 1, [second]);
        using var replicaB = new NodeLog("NL", store.Log, store.Entities, signer, TimeProvider.System);
        await replicaB.StartAsync();

        // Act: recording again (as a late commit path would) must not duplicate anything.
        await replicaB.RecordAsync(entity, [second.Entry]);

        // Assert: start-up recovery logged entry 1 before entry 2, once each, and the mark covers both.
        var leaf1 = await store.Log.FindAsync(first.Entry.Hash);
        var leaf2 = await store.Log.FindAsync(second.Entry.Hash);
        Assert.NotNull(leaf1);
        Assert.NotNull(leaf2);
        Assert.True(leaf1!.Index < leaf2!.Index);
        Assert.Equal(2L, await store.Log.GetSizeAsync());
        Assert.Equal(2UL, (await store.Entities.GetHeadAsync(entity))!.LoggedThrough);
    }

    [Fact]
    public async Task RecordAsync_EarlierEntryLeftUnloggedByAnotherReplica_IsLoggedFirst()
    {
        using var signer = EcdsaP256Signer.Generate();
        var store = new InMemoryNodeStore();
        await store.InitializeAsync();
        var entity = new EntityKey("NL", "shipment", "6NL123456789-0001");
        using var log = new NodeLog("NL", store.Log, store.Entities, signer, TimeProvider.System);
        await log.StartAsync();
        var first = Sign(signer, 1, Hash256.Zero, Start, "shipment", "6NL123456789-0001");
        var second = Sign(signer, 2, first.Entry.Hash, Start.AddSeconds(1), "shipment", "6NL123456789-0001");
        await store.Entities.AppendAsync(entity, 0, [first]);
        await store.Entities.AppendAsync(entity, 1, [second]);

        await log.RecordAsync(entity, [second.Entry]);

        Assert.NotNull(await store.Log.FindAsync(first.Entry.Hash));
        Assert.Equal(2L, log.Size);
    }

    [Fact]
    public async Task GrainCommit_AfterAnotherReplicasUnloggedEntry_LogsBothInOrder()
    {
        // Arrange: another replica appended entry 1 with the same key and crashed before logging it.
        using var signer = EcdsaP256Signer.Generate();
        var store = new InMemoryNodeStore();
        await using var node = TestNode.Start(store: store, signer: signer);
        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0000123");
        var orphan = Sign(signer, 1, Hash256.Zero, node.Time.GetUtcNow());
        await store.Entities.AppendAsync(entity, 0, [orphan]);

        // Act: this replica's grain commits entry 2, passing the mark its own append returned.
        var view = await node.Grain<IAeoOperatorGrain>("NLAEOF0000123").Suspend(new SuspendAeoCertification("Audit finding"));

        // Assert
        var leaf1 = await store.Log.FindAsync(orphan.Entry.Hash);
        Assert.Equal(2UL, view.Sequence);
        Assert.NotNull(leaf1);
        Assert.Equal(0L, leaf1!.Index);
        Assert.Equal(2L, await store.Log.GetSizeAsync());
        Assert.Equal(2UL, (await store.Entities.GetHeadAsync(entity))!.LoggedThrough);
    }

    private static DisclosedEntry Sign(EcdsaP256Signer signer, ulong sequence, Hash256 previous, DateTimeOffset at, string kind = "aeo-operator", string id = "NLAEOF0000123")
    {
        var payload = SealedPayload.Seal(new Dictionary<string, string> { ["status"] = "certified" });
        var body = new EntryBody("NL", kind, id, sequence, previous, at, "aeo.certified", payload.Commitments, signer.KeyId, signer.Algorithm);
        return new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);
    }
}
