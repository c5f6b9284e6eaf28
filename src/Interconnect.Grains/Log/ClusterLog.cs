using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;

namespace Interconnect.Grains.Log;

/// <summary>
/// The administration's log as one silo reaches it: every call goes to the cluster's one
/// <see cref="INodeLogGrain"/>. Keeps the last size it saw, for readings that must not wait.
/// </summary>
public sealed class ClusterLog(IGrainFactory grains, string administrationId) : IAdministrationLog, ILogAppendedObserver
{
    private long _size;
    private long _announced;
    private int _unloggedSuspected;
    private INodeLogGrain? _grain;

    // A reference stays valid wherever the grain is activated, so one serves every call. Made on
    // first use: GetGrain builds a new proxy each time (resolving its argument copiers), about as
    // much work per commit as the in-memory log append itself.
    private INodeLogGrain Grain => _grain ??= grains.GetGrain<INodeLogGrain>(administrationId);

    /// <inheritdoc />
    public long Size => Interlocked.Read(ref _size);

    /// <inheritdoc />
    public bool HasUnloggedEntries => Volatile.Read(ref _unloggedSuspected) == 1;

    /// <summary>
    /// Raised after this silo saw the log grow past the size it last announced. The silo holding
    /// the log grain hears of every append and the recording silo of its own record, so on one silo
    /// both arrive for the same leaves, and records that shared a group commit all report its size:
    /// each such report would wake the partner links again (a grain call per partner) for leaves an
    /// earlier wake already covers, since a woken link sends everything the log holds by then.
    /// </summary>
    public event EventHandler? Appended;

    /// <inheritdoc />
    public async Task<long> SizeAsync(CancellationToken cancellationToken = default) => Seen(await Grain.Size().WaitAsync(cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task RecordAsync(EntityKey entity, IReadOnlyList<LedgerEntry> entries, ulong? loggedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long size;
        try
        {
            size = Seen(await Grain.Record(entity, [.. entries.Select(LoggedEntry.Of)], loggedThrough).WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            // The entries are in their entity's ledger but perhaps not in the log: the repair must look.
            Volatile.Write(ref _unloggedSuspected, 1);
            throw;
        }

        Announce(size);
    }

    /// <inheritdoc />
    public void SuspectUnloggedEntries() => Volatile.Write(ref _unloggedSuspected, 1);

    /// <inheritdoc />
    public async Task<int> RecordUnloggedAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _unloggedSuspected, 0);
        try
        {
            return await Grain.RecordUnlogged().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _unloggedSuspected, 1);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        var signed = await Grain.Checkpoint().WaitAsync(cancellationToken).ConfigureAwait(false);
        Seen(signed.Checkpoint.TreeSize);
        return signed;
    }

    /// <inheritdoc />
    public async Task<(LogLeaf Leaf, InclusionProof Proof)?> ProveInclusionAsync(Hash256 entryHash, long treeSize, CancellationToken cancellationToken = default) =>
        await Grain.ProveInclusion(entryHash, treeSize).WaitAsync(cancellationToken).ConfigureAwait(false) is { } proven ? (proven.Leaf, proven.Proof) : null;

    /// <inheritdoc />
    public Task<ConsistencyProof> ProveConsistencyAsync(long oldSize, long newSize, CancellationToken cancellationToken = default) =>
        Grain.ProveConsistency(oldSize, newSize).WaitAsync(cancellationToken);

    /// <summary>Activates the log grain (it recovers the log from storage) and reads its size.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => SizeAsync(cancellationToken);

    /// <inheritdoc />
    void ILogAppendedObserver.OnAppended(long size) => Announce(Seen(size));

    // The size a record returns, or the observer reports, was reached after those leaves were
    // appended, so an announcement of it covers them.
    private void Announce(long size)
    {
        if (RaiseTo(ref _announced, size))
        {
            Appended?.Invoke(this, EventArgs.Empty);
        }
    }

    private long Seen(long size)
    {
        RaiseTo(ref _size, size);
        return size;
    }

    // Raises a value that only grows; true when this call raised it.
    private static bool RaiseTo(ref long value, long to)
    {
        long current;
        while ((current = Interlocked.Read(ref value)) < to)
        {
            if (Interlocked.CompareExchange(ref value, to, current) == current)
            {
                return true;
            }
        }

        return false;
    }
}
