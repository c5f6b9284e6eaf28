using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// Entity ledgers in one table. Each entity is one partition: its entries as rows keyed by the
/// zero-padded sequence, and a head row (LastSequence, LastHash, LoggedThrough). An append is one
/// entity-group transaction that inserts the entry rows and replaces the head under If-Match (or
/// inserts it for a new entity), so of two writers at the same sequence exactly one succeeds: the
/// other fails on the head's ETag, and, independently, on inserting an entry row that exists.
/// </summary>
internal sealed class AzureEntityLedgerStore(TableClient table) : IEntityLedgerStore
{
    private const int MaxMarkRaces = 5;

    /// <inheritdoc />
    public async Task<EntityHead?> GetHeadAsync(EntityKey entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return (await ReadHeadAsync(entity, cancellationToken).ConfigureAwait(false))?.Head;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DisclosedEntry>> ReadAsync(EntityKey entity, ulong fromSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        StoreInputRules.CheckMaxCount(maxCount);
        var partition = TableKeys.EntityPartition(entity);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {TableKeys.SequenceRow(Math.Max(1, fromSequence))} and RowKey le {TableKeys.LastSequenceRow}");
        var entries = new List<DisclosedEntry>();
        await foreach (var row in table.QueryRowsAsync(filter, maxCount, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(StoredEntry.Read(row));
        }

        return entries;
    }

    /// <inheritdoc />
    public async Task<EntityHead> AppendAsync(EntityKey entity, ulong expectedLastSequence, IReadOnlyList<DisclosedEntry> entries, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckEntityAppend(entity, expectedLastSequence, entries);
        var partition = TableKeys.EntityPartition(entity);
        var what = $"Appending to {entity}";
        var stored = await ReadHeadAsync(entity, cancellationToken).ConfigureAwait(false);

        // The head's ETag also changes when only LoggedThrough moves (MarkLogged). Such a change is
        // no conflict for the chain, so the append is tried again with the fresh ETag a few times.
        for (var attempt = 1; ; attempt++)
        {
            var actual = stored?.Head.LastSequence ?? 0;
            if (actual != expectedLastSequence)
            {
                throw Conflict(entity, actual, expectedLastSequence);
            }

            if (stored is not null)
            {
                StoreInputRules.CheckLink(entity, stored.Value.Head.LastHash, entries[0]);
            }

            var last = entries[^1].Entry;
            var head = new EntityHead(last.Body.Sequence, last.Hash, stored?.Head.LoggedThrough ?? 0);
            var response = await table.TryTransactAsync(AppendActions(partition, entity, entries, head, stored?.ETag), what, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                return head;
            }

            if (!response.IsConflict && response.Status != HttpStatusCode.NotFound)
            {
                throw response.ToException(what);
            }

            var now = await ReadHeadAsync(entity, cancellationToken).ConfigureAwait(false);

            // After a retry the first attempt may have been applied with its answer lost; then the
            // "conflict" is with ourselves, which the stored head shows.
            if (response.WasRetried && now is { } current && current.Head.LastSequence == head.LastSequence && current.Head.LastHash == head.LastHash)
            {
                return current.Head;
            }

            var onlyMarkMoved = now is { } n && stored is { } s && n.Head.LastSequence == s.Head.LastSequence && n.Head.LastHash == s.Head.LastHash;
            if (!onlyMarkMoved || attempt >= MaxMarkRaces)
            {
                throw Conflict(entity, now?.Head.LastSequence ?? 0, expectedLastSequence);
            }

            stored = now;
        }
    }

    /// <inheritdoc />
    public async Task MarkLoggedAsync(EntityKey entity, ulong sequence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var partition = TableKeys.EntityPartition(entity);

        // A monotonic maximum: on a lost race, read again and only ever raise the mark.
        while (true)
        {
            var stored = await ReadHeadAsync(entity, cancellationToken).ConfigureAwait(false)
                ?? throw new ArgumentException($"{entity} has no entries; nothing can be marked logged.", nameof(entity));
            var head = stored.Head;
            if (sequence > head.LastSequence)
            {
                throw new ArgumentException($"{entity} ends at sequence {head.LastSequence}; {sequence} cannot be marked logged.", nameof(sequence));
            }

            if (sequence <= head.LoggedThrough)
            {
                return;
            }

            var what = $"Marking {entity} logged through {sequence}";
            var response = await table.TryReplaceAsync(HeadRow(partition, entity, head with { LoggedThrough = sequence }), stored.ETag, what, cancellationToken)
                .ConfigureAwait(false);
            if (response.IsSuccess)
            {
                return;
            }

            if (!response.IsConflict)
            {
                throw response.ToException(what);
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EntityKey> FindUnloggedAsync(string origin, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Identifier.Require(origin, "origin administration");
        var (from, to) = TableKeys.EntityPartitionRange(origin, null);

        // Entities cannot compare two properties in a filter, so the head row carries Unlogged.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {from} and PartitionKey lt {to} and RowKey eq {TableKeys.HeadRow} and Unlogged eq {true}");
        await foreach (var row in table.QueryRowsAsync(filter, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            yield return TableKeys.ParseEntityPartition(row.PartitionKey);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EntityKey> ListAsync(string origin, string kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Identifier.Require(origin, "origin administration");
        Identifier.Require(kind, "entity kind");
        var (from, to) = TableKeys.EntityPartitionRange(origin, kind);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey lt {to} and RowKey eq {TableKeys.HeadRow}");
        await foreach (var row in table.QueryRowsAsync(filter, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            yield return TableKeys.ParseEntityPartition(row.PartitionKey);
        }
    }

    private static TableTransactionAction[] AppendActions(string partition, EntityKey entity, IReadOnlyList<DisclosedEntry> entries, EntityHead head, ETag? headETag)
    {
        var actions = new TableTransactionAction[entries.Count + 1];
        for (var i = 0; i < entries.Count; i++)
        {
            actions[i] = new TableTransactionAction(TableTransactionActionType.Add, StoredEntry.Row(partition, entries[i]));
        }

        var headRow = HeadRow(partition, entity, head);
        actions[^1] = headETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, headRow, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, headRow);
        return actions;
    }

    private async Task<(EntityHead Head, ETag ETag)?> ReadHeadAsync(EntityKey entity, CancellationToken cancellationToken)
    {
        if (await table.GetRowAsync(TableKeys.EntityPartition(entity), TableKeys.HeadRow, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return null;
        }

        if (!Hash256.TryFromHex(row.String("LastHash"), out var lastHash))
        {
            throw new StorageException($"The head of {entity} holds a malformed LastHash.");
        }

        return (new EntityHead(row.UInt64("LastSequence"), lastHash, row.UInt64("LoggedThrough")), row.ETag);
    }

    private static TableEntity HeadRow(string partition, EntityKey entity, EntityHead head) =>
        new TableRowWriter(partition, TableKeys.HeadRow)
            .String("Origin", entity.Origin)
            .String("Kind", entity.Kind)
            .String("EntityId", entity.Id)
            .UInt64("LastSequence", head.LastSequence)
            .String("LastHash", head.LastHash.ToString())
            .UInt64("LoggedThrough", head.LoggedThrough)
            .Boolean("Unlogged", head.LoggedThrough < head.LastSequence)
            .ToEntity();

    private static ConcurrencyConflictException Conflict(EntityKey entity, ulong actual, ulong expected) =>
        new($"{entity} ends at sequence {actual}, not {expected}; another writer appended first.");
}
