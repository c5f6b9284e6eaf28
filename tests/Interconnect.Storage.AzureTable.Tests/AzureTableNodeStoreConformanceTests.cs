using System.Collections.Concurrent;
using Interconnect.Storage.Conformance;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>The conformance suite on Azure Table storage, against a real Azurite.</summary>
public sealed class AzureTableNodeStoreConformanceTests : NodeStoreConformance
{
    private readonly ConcurrentBag<AzureTableNodeStore> _created = [];

    protected override async Task<INodeStore> CreateStoreAsync()
    {
        await Azurite.EnsureReachableAsync();
        var store = new AzureTableNodeStore(Azurite.NewOptions(), Azurite.Http, TimeProvider.System);
        await store.InitializeAsync();
        _created.Add(store);
        return store;
    }

    // A replica is a second store instance over the same tables, as a second node process would be.
    protected override async Task<INodeStore> OpenReplicaAsync(INodeStore store)
    {
        var first = (AzureTableNodeStore)store;
        var replica = new AzureTableNodeStore(
            Azurite.NewOptions() with { TablePrefix = first.EntitiesTable[..^"entities".Length] }, Azurite.Http, TimeProvider.System);
        await replica.InitializeAsync();
        return replica;
    }

    public override async Task DisposeAsync()
    {
        // Each test's tables are dropped so a long-lived Azurite does not fill up.
        foreach (var store in _created)
        {
            await store.DeleteTablesAsync();
        }

        await base.DisposeAsync();
    }
}
