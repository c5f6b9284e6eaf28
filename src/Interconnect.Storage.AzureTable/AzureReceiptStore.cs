using System.Globalization;
using Azure.Data.Tables;
using Interconnect.Ledger;
using Interconnect.Ledger.Receipts;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// Receipts in one table. Each entity is one partition, keyed as in the entity ledger table; a row
/// per (sequence, issuer) with RowKey = zero-padded sequence, '!', escaped issuer, so a partition
/// reads back in sequence-then-issuer order. A save is Insert Or Replace (PUT without If-Match):
/// the latest receipt from one issuer for one entry replaces the earlier one, and a retried save
/// writes the same row again, so no conflict handling is needed.
/// </summary>
internal sealed class AzureReceiptStore(TableClient table) : IReceiptStore
{
    /// <inheritdoc />
    public async Task SaveAsync(StoredReceipt receipt, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckReceipt(receipt);
        var partition = TableKeys.EntityPartition(receipt.Entity);
        var row = new TableRowWriter(partition, TableKeys.ReceiptRow(receipt.Sequence, receipt.Issuer))
            .String("Origin", receipt.Entity.Origin)
            .String("Kind", receipt.Entity.Kind)
            .String("EntityId", receipt.Entity.Id)
            .UInt64("Sequence", receipt.Sequence)
            .String("EntryHash", receipt.EntryHash.ToString())
            .String("Issuer", receipt.Issuer)
            .Int32("Verdict", (byte)receipt.Verdict)
            .Chunked("Receipt", receipt.SignedReceipt)
            .String("ReceivedAt", receipt.ReceivedAt.ToString("O", CultureInfo.InvariantCulture))
            .ToEntity();
        var what = $"Saving the receipt of {receipt.Issuer} for {receipt.Entity}#{receipt.Sequence}";
        var response = await table.TryUpsertAsync(row, what, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw response.ToException(what);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredReceipt>> ListAsync(EntityKey entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.EntityPartition(entity)}");
        var receipts = new List<StoredReceipt>();
        await foreach (var row in table.QueryRowsAsync(filter, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            receipts.Add(Read(row));
        }

        return receipts;
    }

    private static StoredReceipt Read(TableRow row)
    {
        if (!Hash256.TryFromHex(row.String("EntryHash"), out var hash))
        {
            throw new StorageException($"The receipt row ({row.PartitionKey}, {row.RowKey}) holds a malformed entry hash.");
        }

        var verdict = row.Int64("Verdict");
        if (verdict is < byte.MinValue or > byte.MaxValue || !Enum.IsDefined((ReceiptVerdict)verdict))
        {
            throw new StorageException($"The receipt row ({row.PartitionKey}, {row.RowKey}) holds the unknown verdict {verdict}.");
        }

        return new StoredReceipt(
            new EntityKey(row.String("Origin"), row.String("Kind"), row.String("EntityId")),
            row.UInt64("Sequence"),
            hash,
            row.String("Issuer"),
            (ReceiptVerdict)verdict,
            row.Chunked("Receipt"),
            DateTimeOffset.ParseExact(row.String("ReceivedAt"), "O", CultureInfo.InvariantCulture));
    }
}
