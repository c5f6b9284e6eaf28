using Interconnect.Grains.Runtime;
using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;
using Orleans.Concurrency;

namespace Interconnect.Grains.Log;

/// <summary>
/// The administration's Merkle log as a grain, keyed by the administration id: its single activation
/// in the cluster is the one writer of the log, so the in-memory tree that serves proofs is never
/// behind another silo's appends, and entries recorded from every silo meet in one group commit.
/// Storage still refuses a conflicting append, so a second activation during a membership change
/// catches up instead of forking the log.
/// </summary>
public interface INodeLogGrain : IGrainWithStringKey
{
    /// <summary>Records entries of one entity; returns the log size after them.</summary>
    Task<long> Record(EntityKey entity, IReadOnlyList<LoggedEntry> entries, ulong? loggedThrough);

    /// <summary>Leaves in the log.</summary>
    Task<long> Size();

    /// <summary>Signs and stores a checkpoint of the log as it stands.</summary>
    Task<SignedCheckpoint> Checkpoint();

    /// <summary>The inclusion proof of an entry, or null when it is not in the tree of that size.</summary>
    Task<LogInclusion?> ProveInclusion(Hash256 entryHash, long treeSize);

    /// <summary>The consistency proof between two tree sizes.</summary>
    Task<ConsistencyProof> ProveConsistency(long oldSize, long newSize);

    /// <summary>Records every entry its entity's ledger holds but the log does not; returns the entities repaired.</summary>
    Task<int> RecordUnlogged();
}

/// <summary>An entry's leaf and its inclusion proof.</summary>
/// <param name="Leaf">The leaf.</param>
/// <param name="Proof">The proof in the tree it was asked for.</param>
[GenerateSerializer, Immutable]
public sealed record LogInclusion([property: Id(0)] LogLeaf Leaf, [property: Id(1)] InclusionProof Proof);

/// <summary>
/// The grain behind <see cref="INodeLogGrain"/>. Reentrant: <see cref="NodeLog"/> is safe for
/// concurrent callers and batches their records, which is the point of sending them all here. Kept
/// alive, since an activation reads every stored leaf to rebuild the tree.
/// </summary>
[Reentrant]
[KeepAlive]
public sealed class NodeLogGrain(AdministrationContext administration, ILogAppendedObserver appended) : Grain, INodeLogGrain, IDisposable
{
    private NodeLog _log = null!;

    /// <inheritdoc />
    public void Dispose() => _log?.Dispose();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var store = administration.Store;
        _log = new NodeLog(administration.AdministrationId, store.Log, store.Entities, administration.Signer, administration.Time);
        _log.Appended += (_, _) => appended.OnAppended(_log.Size);
        await _log.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> Record(EntityKey entity, IReadOnlyList<LoggedEntry> entries, ulong? loggedThrough)
    {
        await _log.RecordAsync(entity, entries, loggedThrough);
        return _log.Size;
    }

    /// <inheritdoc />
    public Task<long> Size() => Task.FromResult(_log.Size);

    /// <inheritdoc />
    public Task<SignedCheckpoint> Checkpoint() => _log.CheckpointAsync();

    /// <inheritdoc />
    public async Task<LogInclusion?> ProveInclusion(Hash256 entryHash, long treeSize) =>
        await _log.ProveInclusionAsync(entryHash, treeSize) is { } proven ? new LogInclusion(proven.Leaf, proven.Proof) : null;

    /// <inheritdoc />
    public Task<ConsistencyProof> ProveConsistency(long oldSize, long newSize) => _log.ProveConsistencyAsync(oldSize, newSize);

    /// <inheritdoc />
    public Task<int> RecordUnlogged() => _log.RecordUnloggedAsync();
}

/// <summary>Told, on the log grain's silo, that the log grew (replication wakes its partner links on it).</summary>
public interface ILogAppendedObserver
{
    /// <summary>The log now holds <paramref name="size"/> leaves.</summary>
    void OnAppended(long size);
}
