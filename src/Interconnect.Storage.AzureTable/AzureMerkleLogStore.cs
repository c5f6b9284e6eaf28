using System.Net;
using Azure;
using Azure.Data.Tables;
using Interconnect.Ledger;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// The node's Merkle log in one table. Partition "log" holds the leaves (RowKey "L" + zero-padded
/// index), the hash index (RowKey "H" + entry hash) and the size row; partition "checkpoint" holds
/// checkpoints keyed so the newest sorts first.
/// </summary>
/// <remarks>
/// The hash index lives in the leaves' partition and is written in the same entity-group
/// transaction as the leaves and the size row. So there is no window in which a leaf exists
/// without its index row (no crash between two writes to recover from, no fallback scan): a
/// crash either applied the whole append or none of it. The price is two rows per leaf, hence
/// <see cref="StorageLimits.MaxLeavesPerAppend"/> = 49 leaves per append, and one partition's
/// throughput for the log, which a node's own entry rate stays far below. The index also lets
/// the store refuse an entry hash that is already logged, inside the same transaction.
/// </remarks>
internal sealed class AzureMerkleLogStore(TableClient table) : IMerkleLogStore
{
    private const string LogPartition = "log";
    private const string CheckpointPartition = "checkpoint";
    private const string SizeRow = "size";

    // The size row as this instance last wrote it. An append at exactly that size sends its ETag
    // without reading the row first: if another writer appended meanwhile, the ETag no longer
    // matches, the service refuses the whole transaction (412), and the append reads the size as
    // before. The condition is still the service's; the cache only spares the read when it holds.
    private KnownSize? _known;

    /// <inheritdoc />
    public async Task<long> GetSizeAsync(CancellationToken cancellationToken = default) =>
        (await ReadSizeAsync(cancellationToken).ConfigureAwait(false))?.Size ?? 0;

    /// <inheritdoc />
    public async Task AppendAsync(long expectedSize, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckLogAppend(expectedSize, leaves);
        var known = Volatile.Read(ref _known);
        Volatile.Write(ref _known, null);
        var stored = known is not null && known.Size == expectedSize
            ? (known.Size, known.ETag)
            : await ReadSizeAsync(cancellationToken).ConfigureAwait(false);
        var actual = stored?.Size ?? 0;
        if (actual != expectedSize)
        {
            throw Conflict(actual, expectedSize);
        }

        var newSize = expectedSize + leaves.Count;

        // The size row goes first: a stale ETag is reported as 412 before any row-exists 409.
        var actions = new TableTransactionAction[1 + (2 * leaves.Count)];
        var sizeRow = new TableRowWriter(LogPartition, SizeRow).Int64("Size", newSize).ToEntity();
        actions[0] = stored is { ETag: var sizeETag }
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, sizeRow, sizeETag)
            : new TableTransactionAction(TableTransactionActionType.Add, sizeRow);
        for (var i = 0; i < leaves.Count; i++)
        {
            actions[1 + (2 * i)] = new TableTransactionAction(TableTransactionActionType.Add, LeafRow(TableKeys.LeafRow(leaves[i].Index), leaves[i]));
            actions[2 + (2 * i)] = new TableTransactionAction(TableTransactionActionType.Add, LeafRow(TableKeys.HashRow(leaves[i].EntryHash), leaves[i]));
        }

        var response = await table.TryTransactAsync(actions, "Appending to the Merkle log", cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            // The size row is the transaction's first operation, so the ETag is its new one.
            Volatile.Write(ref _known, response.ETag is { } etag ? new KnownSize(newSize, etag) : null);
            return;
        }

        if (!response.IsConflict)
        {
            throw response.ToException("Appending to the Merkle log");
        }

        var now = (await ReadSizeAsync(cancellationToken).ConfigureAwait(false))?.Size ?? 0;
        if (now != expectedSize)
        {
            var last = leaves[^1];
            if (response.WasRetried && now >= newSize && await FindAsync(last.EntryHash, cancellationToken).ConfigureAwait(false) is { } found && found.Index == last.Index)
            {
                return;
            }

            throw Conflict(now, expectedSize);
        }

        // The size did not move, so the failed insert was a hash index row: the entry is already logged.
        foreach (var leaf in leaves)
        {
            if (await FindAsync(leaf.EntryHash, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                throw new EntryAlreadyLoggedException($"Entry hash {leaf.EntryHash} is already logged at leaf {existing.Index}.", nameof(leaves));
            }
        }

        throw Conflict(now, expectedSize);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LogLeaf>> ReadAsync(long from, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        StoreInputRules.CheckMaxCount(maxCount);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LogPartition} and RowKey ge {TableKeys.LeafRow(from)} and RowKey lt {"M"}");
        var leaves = new List<LogLeaf>();
        await foreach (var row in table.QueryRowsAsync(filter, maxCount, cancellationToken).ConfigureAwait(false))
        {
            leaves.Add(ReadLeaf(row));
        }

        return leaves;
    }

    /// <inheritdoc />
    public async Task<LogLeaf?> FindAsync(Hash256 entryHash, CancellationToken cancellationToken = default)
    {
        var found = await table.GetRowAsync(LogPartition, TableKeys.HashRow(entryHash), cancellationToken).ConfigureAwait(false);
        return found is { } row ? ReadLeaf(row) : null;
    }

    /// <inheritdoc />
    public async Task SaveCheckpointAsync(long treeSize, byte[] signedCheckpoint, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckCheckpoint(treeSize, signedCheckpoint);
        var row = new TableRowWriter(CheckpointPartition, TableKeys.CheckpointRow(treeSize)).Int64("TreeSize", treeSize).Chunked("Checkpoint", signedCheckpoint).ToEntity();
        var what = $"Saving the checkpoint for tree size {treeSize}";
        var response = await table.TryAddAsync(row, what, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            return;
        }

        if (response.Status != HttpStatusCode.Conflict)
        {
            throw response.ToException(what);
        }

        // Idempotent for equal bytes (including our own retried insert); a different checkpoint
        // for the same size is never overwritten.
        var existing = await GetCheckpointAsync(treeSize, cancellationToken).ConfigureAwait(false);
        if (existing is null || !existing.AsSpan().SequenceEqual(signedCheckpoint))
        {
            throw new ConcurrencyConflictException($"A different checkpoint for tree size {treeSize} is already stored.");
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {CheckpointPartition}");
        await foreach (var row in table.QueryRowsAsync(filter, 1, cancellationToken).ConfigureAwait(false))
        {
            return row.Chunked("Checkpoint");
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var found = await table.GetRowAsync(CheckpointPartition, TableKeys.CheckpointRow(treeSize), cancellationToken).ConfigureAwait(false);
        return found?.Chunked("Checkpoint");
    }

    private async Task<(long Size, ETag ETag)?> ReadSizeAsync(CancellationToken cancellationToken)
    {
        var found = await table.GetRowAsync(LogPartition, SizeRow, cancellationToken).ConfigureAwait(false);
        return found is { } row ? (row.Int64("Size"), row.ETag) : null;
    }

    private static TableEntity LeafRow(string rowKey, LogLeaf leaf) =>
        new TableRowWriter(LogPartition, rowKey)
            .Int64("Index", leaf.Index)
            .String("EntryHash", leaf.EntryHash.ToString())
            .String("Origin", leaf.Entity.Origin)
            .String("Kind", leaf.Entity.Kind)
            .String("EntityId", leaf.Entity.Id)
            .UInt64("Sequence", leaf.Sequence)
            .ToEntity();

    private static LogLeaf ReadLeaf(TableRow row)
    {
        if (!Hash256.TryFromHex(row.String("EntryHash"), out var hash))
        {
            throw new StorageException($"The log row {row.RowKey} holds a malformed entry hash.");
        }

        return new LogLeaf(
            row.Int64("Index"),
            hash,
            new EntityKey(row.String("Origin"), row.String("Kind"), row.String("EntityId")),
            row.UInt64("Sequence"));
    }

    private sealed record KnownSize(long Size, ETag ETag);

    private static ConcurrencyConflictException Conflict(long actual, long expected) =>
        new($"The log holds {actual} leaves, not {expected}; another writer appended first.");
}
