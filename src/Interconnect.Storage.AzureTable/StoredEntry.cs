using System.Collections.Immutable;
using System.Text;
using Azure.Data.Tables;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// How an entry row holds a <see cref="DisclosedEntry"/>: the entry's own wire bytes (so the stored
/// signature covers exactly what is read back) and the disclosed fields in a small length-prefixed
/// binary form (version 1: count, then name, salt, UTF-8 value per field), each chunked.
/// </summary>
internal static class StoredEntry
{
    private const byte FieldsVersion = 1;

    public static TableEntity Row(string partitionKey, DisclosedEntry entry) =>
        new TableRowWriter(partitionKey, TableKeys.SequenceRow(entry.Entry.Body.Sequence))
            .Chunked("Entry", entry.Entry.Encode())
            .Chunked("Fields", EncodeFields(entry.Fields))
            .ToEntity();

    public static DisclosedEntry Read(TableRow row)
    {
        var decoded = LedgerEntry.Decode(row.Chunked("Entry"));
        if (!decoded.Ok)
        {
            throw new StorageException($"The stored entry ({row.PartitionKey}, {row.RowKey}) does not decode: {decoded.Error!.Message}");
        }

        return new DisclosedEntry(decoded.Value!, DecodeFields(row.Chunked("Fields"), row));
    }

    internal static byte[] EncodeFields(ImmutableArray<DisclosedField> fields)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, new UTF8Encoding(false, true), leaveOpen: true))
        {
            writer.Write(FieldsVersion);
            writer.Write(fields.Length);
            foreach (var field in fields)
            {
                writer.Write(field.Name);
                writer.Write(field.Salt.Length);
                writer.Write(field.Salt);
                writer.Write(field.Value);
            }
        }

        return stream.ToArray();
    }

    internal static ImmutableArray<DisclosedField> DecodeFields(byte[] bytes, TableRow row)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), new UTF8Encoding(false, true));
            if (reader.ReadByte() != FieldsVersion)
            {
                throw new StorageException($"The stored fields of ({row.PartitionKey}, {row.RowKey}) have an unknown format version.");
            }

            var count = reader.ReadInt32();
            if (count < 0 || count > EntryLimits.MaxFields)
            {
                throw new StorageException($"The stored fields of ({row.PartitionKey}, {row.RowKey}) claim {count} fields.");
            }

            var fields = ImmutableArray.CreateBuilder<DisclosedField>(count);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var salt = reader.ReadBytes(reader.ReadInt32());
                var value = reader.ReadString();
                fields.Add(new DisclosedField(name, value, salt));
            }

            return fields.MoveToImmutable();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or DecoderFallbackException or FormatException)
        {
            throw new StorageException($"The stored fields of ({row.PartitionKey}, {row.RowKey}) are corrupt: {e.Message}", e);
        }
    }
}
