using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Interconnect.Storage;
using Orleans.Serialization;
using Orleans.Storage;

namespace Interconnect.Node.Hosting;

/// <summary>
/// Grain state for a node on in-memory storage (the demo, tests): kept beside the in-memory ledger
/// store it goes with, so it lives exactly as long as that store. The silos of one administration
/// in one process share the store, and a node stopped and started again on it finds its cursors,
/// as it finds its ledger (Orleans' own memory storage keeps state in grains of the running
/// cluster, and forgets it when the cluster stops). Writes are checked against the ETag read, as
/// Azure Table grain storage checks them.
/// </summary>
internal sealed class InMemoryGrainStorage(ConcurrentDictionary<string, (object State, string ETag)> states, DeepCopier copier) : IGrainStorage
{
    private static readonly ConditionalWeakTable<INodeStore, ConcurrentDictionary<string, (object State, string ETag)>> ByStore = [];
    private long _version;

    /// <summary>The grain storage that goes with <paramref name="store"/>.</summary>
    public static InMemoryGrainStorage For(INodeStore store, DeepCopier copier) => new(ByStore.GetOrAdd(store, _ => new(StringComparer.Ordinal)), copier);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (states.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var etag = Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var next = (State: (object)copier.Copy(grainState.State)!, ETag: etag);
        var written = grainState.ETag is null
            ? states.TryAdd(key, next)
            : states.TryGetValue(key, out var current) && current.ETag == grainState.ETag && states.TryUpdate(key, next, current);
        if (!written)
        {
            throw new InconsistentStateException($"The state {key} changed since it was read (ETag {grainState.ETag ?? "none"}).");
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        states.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => stateName + "/" + grainId;
}
