using Interconnect.Storage.Conformance;

namespace Interconnect.Storage.InMemory.Tests;

/// <summary>The conformance suite on the in-memory provider.</summary>
public sealed class InMemoryNodeStoreConformanceTests : NodeStoreConformance
{
    protected override async Task<INodeStore> CreateStoreAsync()
    {
        var store = new InMemoryNodeStore();
        await store.InitializeAsync();
        return store;
    }

    // In memory, replicas of one node share the one store instance (one process, one heap).
    protected override Task<INodeStore> OpenReplicaAsync(INodeStore store) => Task.FromResult(store);
}
