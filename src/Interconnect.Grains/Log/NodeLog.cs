using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;

namespace Interconnect.Grains.Log;

/// <summary>
/// The node's Merkle log over every entry it originates: kept in memory for proofs, persisted leaf by
/// leaf with a conditional append, and signed as checkpoints. Leaf order is also the replication
/// order. Several replicas share one stored log: a conflicting append catches up from storage first.
/// </summary>
public sealed class NodeLog(string administrationId, IMerkleLogStore store, IEntityLedgerStore entities, ISigner signer, TimeProvider time) : IAdministrationLog, IDisposable
{
    private const int PageSize = 1000;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly MerkleLog _tree = new();
    private readonly Lock _queueGate = new();
    private List<QueuedRecord> _queue = [];
    private int _unloggedSuspected;

    /// <summary>Raised after entries were appended to the log (replication wakes on it).</summary>
    public event EventHandler? Appended;

    /// <summary>Leaves in the log.</summary>
    public long Size => _tree.Size;

    /// <inheritdoc />
    public Task<long> SizeAsync(CancellationToken cancellationToken = default) => Task.FromResult(_tree.Size);

    /// <summary>Loads the stored leaves and records entries that a crash left out of the log.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        await RecordUnloggedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a record failed or was abandoned since the last repair, so that an entry may be in
    /// its entity's ledger but not yet in the log (and so not replicated): the storage went away
    /// between the two appends, or the caller gave up. <see cref="RecordUnloggedAsync"/> repairs it.
    /// </summary>
    public bool HasUnloggedEntries => Volatile.Read(ref _unloggedSuspected) == 1;

    /// <summary>Notes that an entity append's outcome is unknown (the store failed to answer), so a repair must look.</summary>
    public void SuspectUnloggedEntries() => Volatile.Write(ref _unloggedSuspected, 1);

    /// <summary>
    /// Records in the log every entry of ours that its entity's ledger holds but the log does not
    /// (idempotent: entries already in the log are skipped). Returns the entities repaired.
    /// </summary>
    public async Task<int> RecordUnloggedAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _unloggedSuspected, 0);
        var repaired = 0;
        try
        {
            await foreach (var entity in entities.FindUnloggedAsync(administrationId, cancellationToken).ConfigureAwait(false))
            {
                var head = await entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
                if (head is null)
                {
                    continue;
                }

                // In pages, so an entity with a long unlogged tail is recovered whole.
                for (var logged = head.LoggedThrough; logged < head.LastSequence;)
                {
                    var missing = await entities.ReadAsync(entity, logged + 1, (int)Math.Min(head.LastSequence - logged, PageSize), cancellationToken).ConfigureAwait(false);
                    if (missing.Count == 0)
                    {
                        break;
                    }

                    await RecordAsync(entity, [.. missing.Select(e => LoggedEntry.Of(e.Entry))], logged, cancellationToken).ConfigureAwait(false);
                    logged = missing[^1].Entry.Body.Sequence;
                }

                repaired++;
            }
        }
        catch
        {
            Volatile.Write(ref _unloggedSuspected, 1);
            throw;
        }

        return repaired;
    }

    /// <summary>
    /// Appends the entries' hashes to the log (skipping any already there, so recovery is idempotent)
    /// and marks the entity as logged through the last of them.
    /// </summary>
    public Task RecordAsync(EntityKey entity, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default) =>
        RecordAsync(entity, entries, loggedThrough: null, cancellationToken);

    /// <inheritdoc />
    public Task RecordAsync(EntityKey entity, IReadOnlyList<LedgerEntry> entries, ulong? loggedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return RecordAsync(entity, [.. entries.Select(LoggedEntry.Of)], loggedThrough, cancellationToken);
    }

    /// <summary>
    /// Records entries given by hash and sequence (what the log keeps of them), for a caller that
    /// already holds the entity's stored logged-through mark (the head its append returned), saving a read.
    /// </summary>
    /// <remarks>
    /// Group commit: concurrent callers queue their entries, and whichever holds the log appends
    /// everything queued in as few conditional appends as the store's limit allows, in queue order.
    /// Once the leaves are appended a caller's record completes even if it stopped waiting, so the
    /// log never holds half of what one caller asked for because another caller was cancelled.
    /// </remarks>
    public async Task RecordAsync(EntityKey entity, IReadOnlyList<LoggedEntry> entries, ulong? loggedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        try
        {
            await RecordCoreAsync(entity, entries, loggedThrough, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The entries are in their entity's ledger (the caller appended them first) but perhaps
            // not in the log: remember it, so the repair records them.
            Volatile.Write(ref _unloggedSuspected, 1);
            throw;
        }
    }

    private async Task RecordCoreAsync(EntityKey entity, IReadOnlyList<LoggedEntry> entries, ulong? loggedThrough, CancellationToken cancellationToken)
    {
        // The logged-through mark only moves forward, so it must never pass an entry that is not in
        // the log: another replica may have appended an earlier entry and crashed before logging it.
        var logged = loggedThrough ?? (await entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false))?.LoggedThrough ?? 0;
        var first = entries[0].Sequence;
        if (logged + 1 < first)
        {
            var earlier = await entities.ReadAsync(entity, logged + 1, (int)(first - logged - 1), cancellationToken).ConfigureAwait(false);
            entries = [.. earlier.Select(e => LoggedEntry.Of(e.Entry)), .. entries];
        }

        var record = new QueuedRecord(entity, entries);
        lock (_queueGate)
        {
            _queue.Add(record);
        }

        try
        {
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not appended yet: withdraw it, unless a flush already took it (then it completes anyway,
            // and a failure there is this caller's no longer: observed here so it is not reported as lost).
            bool withdrawn;
            lock (_queueGate)
            {
                withdrawn = _queue.Remove(record);
            }

            if (!withdrawn)
            {
                _ = record.Done.Task.ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            throw;
        }

        try
        {
            // An earlier holder may have appended this record together with its own.
            if (!record.Done.Task.IsCompleted)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }

        await record.Done.Task.ConfigureAwait(false);
        await entities.MarkLoggedAsync(entity, entries[^1].Sequence, cancellationToken).ConfigureAwait(false);
        Appended?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Signs and stores a checkpoint of the log as it stands (after catching up with other replicas).</summary>
    public async Task<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            // One stamp: the checkpoint is dated within the validity of the key that signs it.
            var stamp = KeySets.NodeSigner.Stamp(signer, time, DateTimeOffset.MinValue);
            var checkpoint = new Checkpoint(administrationId, _tree.Size, _tree.Root(), stamp.Timestamp);
            var signed = SignedCheckpoint.Sign(checkpoint, stamp.Key);
            try
            {
                await store.SaveCheckpointAsync(_tree.Size, signed.Encode(), cancellationToken).ConfigureAwait(false);
                return signed;
            }
            catch (ConcurrencyConflictException)
            {
                // One checkpoint per tree size: another replica (or an earlier call with no new
                // leaves) signed this size first. Signatures and times differ, so the stored one
                // stands, provided it commits to the same tree; a different root is a fork.
                return await StoredCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The inclusion proof of an entry in the tree of <paramref name="treeSize"/> leaves, or null when not logged there.</summary>
    public async Task<(LogLeaf Leaf, InclusionProof Proof)?> ProveInclusionAsync(Hash256 entryHash, long treeSize, CancellationToken cancellationToken = default)
    {
        var leaf = await store.FindAsync(entryHash, cancellationToken).ConfigureAwait(false);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (leaf is null || leaf.Index >= treeSize || treeSize > _tree.Size)
            {
                return null;
            }

            return (leaf, _tree.ProveInclusion(leaf.Index, treeSize));
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The consistency proof between two tree sizes.</summary>
    public async Task<ConsistencyProof> ProveConsistencyAsync(long oldSize, long newSize, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _tree.ProveConsistency(oldSize, newSize);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    private async Task<SignedCheckpoint> StoredCheckpointAsync(Checkpoint ours, CancellationToken cancellationToken)
    {
        var stored = await store.GetCheckpointAsync(ours.TreeSize, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException($"The store refused the checkpoint for tree size {ours.TreeSize} but holds none for that size.");
        var decoded = SignedCheckpoint.Decode(stored);
        if (decoded.Value is not { } theirs)
        {
            throw new StorageException($"The stored checkpoint for tree size {ours.TreeSize} does not decode: {decoded.Error?.Message}");
        }

        if (!string.Equals(theirs.Checkpoint.Origin, ours.Origin, StringComparison.Ordinal) || theirs.Checkpoint.RootHash != ours.RootHash)
        {
            throw new StorageException(
                $"The stored checkpoint for tree size {ours.TreeSize} is {theirs.Checkpoint}, but this log's root is {ours.RootHash}: the log has forked.");
        }

        return theirs;
    }

    // Appends every queued record (the caller holds _lock). Not cancellable: records of callers
    // other than the one flushing ride on it.
    private async Task FlushAsync()
    {
        List<QueuedRecord> taken;
        lock (_queueGate)
        {
            (taken, _queue) = (_queue, []);
        }

        if (taken.Count == 0)
        {
            return;
        }

        var batch = new List<(LoggedEntry Entry, EntityKey Entity)>(Math.Min(StorageLimits.MaxLeavesPerAppend, taken.Count));
        var ready = new List<QueuedRecord>(taken.Count);
        // Two records may both carry an entry left unlogged earlier: it is logged once.
        var included = taken.Count > 1 || taken[0].Entries.Count > 1 ? new HashSet<Hash256>() : null;
        var completed = 0;
        try
        {
            foreach (var record in taken)
            {
                foreach (var entry in record.Entries)
                {
                    if (included is not null && !included.Add(entry.Hash))
                    {
                        continue;
                    }

                    batch.Add((entry, record.Entity));
                    if (batch.Count == StorageLimits.MaxLeavesPerAppend)
                    {
                        await AppendAsync(batch).ConfigureAwait(false);
                        batch.Clear();
                        completed = Complete(ready, completed);
                    }
                }

                ready.Add(record);
            }

            if (batch.Count > 0)
            {
                await AppendAsync(batch).ConfigureAwait(false);
            }

            Complete(ready, completed);
        }
        catch (Exception e)
        {
            // Records already completed stay completed; the others did not reach the log.
            foreach (var record in taken)
            {
                record.Done.TrySetException(e);
            }
        }
    }

    private static int Complete(List<QueuedRecord> ready, int from)
    {
        for (var i = from; i < ready.Count; i++)
        {
            ready[i].Done.TrySetResult();
        }

        return ready.Count;
    }

    // One conditional append of up to MaxLeavesPerAppend leaves at the end of the log.
    private async Task AppendAsync(List<(LoggedEntry Entry, EntityKey Entity)> batch)
    {
        while (true)
        {
            var start = _tree.Size;
            var leaves = new LogLeaf[batch.Count];
            for (var i = 0; i < leaves.Length; i++)
            {
                leaves[i] = new LogLeaf(start + i, batch[i].Entry.Hash, batch[i].Entity, batch[i].Entry.Sequence);
            }

            // No lookup first: the store refuses an entry hash it already holds, atomically with the
            // append, so checking before every append would only repeat that check one round trip early.
            try
            {
                await store.AppendAsync(start, leaves, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                await CatchUpAsync(CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            catch (EntryAlreadyLoggedException)
            {
                // Another replica logged some of these (its crash recovery): append only the rest.
                var before = batch.Count;
                for (var i = batch.Count - 1; i >= 0; i--)
                {
                    if (await store.FindAsync(batch[i].Entry.Hash, CancellationToken.None).ConfigureAwait(false) is not null)
                    {
                        batch.RemoveAt(i);
                    }
                }

                if (batch.Count == before)
                {
                    throw;
                }

                if (batch.Count == 0)
                {
                    return;
                }

                await CatchUpAsync(CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            foreach (var leaf in leaves)
            {
                _tree.AppendEntry(leaf.EntryHash);
            }

            return;
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await store.ReadAsync(_tree.Size, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var leaf in page)
            {
                _tree.AppendEntry(leaf.EntryHash);
            }

            if (page.Count < PageSize)
            {
                return;
            }
        }
    }

    private sealed class QueuedRecord(EntityKey entity, IReadOnlyList<LoggedEntry> entries)
    {
        public EntityKey Entity { get; } = entity;

        public IReadOnlyList<LoggedEntry> Entries { get; } = entries;

        // Continuations run off the flushing caller, which still holds the log.
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
