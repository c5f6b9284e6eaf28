using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;

namespace Interconnect.Grains.Runtime;

/// <summary>
/// The node's Merkle log over every entry it originates: kept in memory for proofs, persisted leaf by
/// leaf with a conditional append, and signed as checkpoints. Leaf order is also the replication
/// order. Several replicas share one stored log: a conflicting append catches up from storage first.
/// </summary>
public sealed class NodeLog(string administrationId, IMerkleLogStore store, IEntityLedgerStore entities, ISigner signer, TimeProvider time) : IDisposable
{
    private const int PageSize = 1000;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly MerkleLog _tree = new();

    /// <summary>Raised after entries were appended to the log (replication wakes on it).</summary>
    public event EventHandler? Appended;

    /// <summary>Leaves in the log.</summary>
    public long Size => _tree.Size;

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

        await foreach (var entity in entities.FindUnloggedAsync(administrationId, cancellationToken).ConfigureAwait(false))
        {
            var head = await entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
            if (head is null)
            {
                continue;
            }

            var missing = await entities.ReadAsync(entity, head.LoggedThrough + 1, (int)Math.Min(head.LastSequence - head.LoggedThrough, 10_000), cancellationToken).ConfigureAwait(false);
            await RecordAsync(entity, missing.Select(e => e.Entry).ToList(), head.LoggedThrough, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Appends the entries' hashes to the log (skipping any already there, so recovery is idempotent)
    /// and marks the entity as logged through the last of them.
    /// </summary>
    public Task RecordAsync(EntityKey entity, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default) =>
        RecordAsync(entity, entries, loggedThrough: null, cancellationToken);

    /// <summary>
    /// As <see cref="RecordAsync(EntityKey, IReadOnlyList{LedgerEntry}, CancellationToken)"/>, for a caller that
    /// already holds the entity's stored logged-through mark (the head its append returned), saving a read.
    /// </summary>
    public async Task RecordAsync(EntityKey entity, IReadOnlyList<LedgerEntry> entries, ulong? loggedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        // The logged-through mark only moves forward, so it must never pass an entry that is not in
        // the log: another replica may have appended an earlier entry and crashed before logging it.
        var logged = loggedThrough ?? (await entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false))?.LoggedThrough ?? 0;
        var first = entries[0].Body.Sequence;
        if (logged + 1 < first)
        {
            var earlier = await entities.ReadAsync(entity, logged + 1, (int)(first - logged - 1), cancellationToken).ConfigureAwait(false);
            entries = [.. earlier.Select(e => e.Entry), .. entries];
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var pending = new List<LedgerEntry>(entries.Count);
                foreach (var entry in entries)
                {
                    if (await store.FindAsync(entry.Hash, cancellationToken).ConfigureAwait(false) is null)
                    {
                        pending.Add(entry);
                    }
                }

                if (pending.Count == 0)
                {
                    break;
                }

                var start = _tree.Size;
                var leaves = pending.Select((e, i) => new LogLeaf(start + i, e.Hash, entity, e.Body.Sequence)).ToList();
                try
                {
                    await store.AppendAsync(start, leaves, cancellationToken).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException)
                {
                    await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var leaf in leaves)
                {
                    _tree.AppendEntry(leaf.EntryHash);
                }

                break;
            }
        }
        finally
        {
            _lock.Release();
        }

        await entities.MarkLoggedAsync(entity, entries[^1].Body.Sequence, cancellationToken).ConfigureAwait(false);
        Appended?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Signs and stores a checkpoint of the log as it stands (after catching up with other replicas).</summary>
    public async Task<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            var checkpoint = new Checkpoint(administrationId, _tree.Size, _tree.Root(), EntryBody.TruncateToMicros(time.GetUtcNow()));
            var signed = SignedCheckpoint.Sign(checkpoint, signer);
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
}
