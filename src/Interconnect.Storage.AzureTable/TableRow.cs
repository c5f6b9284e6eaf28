using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// Builds one row with the property types the row format fixes: strings, Edm.Int64 for counters
/// and sequences (a ulong is stored as the long with the same bits), Edm.Int32, Edm.Boolean, and
/// binary values as Edm.Binary chunks.
/// </summary>
internal sealed class TableRowWriter(string partitionKey, string rowKey)
{
    /// <summary>
    /// Binary properties are split into chunks below the 64 KiB per-property limit (with margin for
    /// emulators that count differently), so entries and field sets of any allowed size fit.
    /// </summary>
    public const int ChunkBytes = 60 * 1024;

    private readonly TableEntity _row = new(partitionKey, rowKey);

    public TableRowWriter String(string name, string value) => Set(name, value);

    public TableRowWriter Int64(string name, long value) => Set(name, value);

    public TableRowWriter UInt64(string name, ulong value) => Set(name, unchecked((long)value));

    public TableRowWriter Int32(string name, int value) => Set(name, value);

    public TableRowWriter Boolean(string name, bool value) => Set(name, value);

    /// <summary>Writes <paramref name="value"/> as name0, name1, ... Edm.Binary chunks and nameChunks (Int32).</summary>
    public TableRowWriter Chunked(string name, ReadOnlySpan<byte> value)
    {
        var chunks = 0;
        for (var offset = 0; offset < value.Length || chunks == 0; offset += ChunkBytes)
        {
            _row[name + chunks.ToString(CultureInfo.InvariantCulture)] = value.Slice(offset, Math.Min(ChunkBytes, value.Length - offset)).ToArray();
            chunks++;
        }

        _row[name + "Chunks"] = chunks;
        return this;
    }

    public TableEntity ToEntity() => _row;

    // The CLR type of the value is what the SDK writes as the property's Edm type.
    private TableRowWriter Set(string name, object value)
    {
        _row[name] = value;
        return this;
    }
}

/// <summary>Reads one stored row, refusing a property that is missing or of the wrong type.</summary>
internal readonly struct TableRow(TableEntity row)
{
    public string PartitionKey => row.PartitionKey;

    public string RowKey => row.RowKey;

    public ETag ETag => row.ETag;

    public string String(string name) => row.TryGetValue(name, out var v) && v is string s ? s : throw Missing(name);

    /// <summary>An Edm.Int64 or Edm.Int32 value; a decimal string (an Int64 that lost its type annotation) is read too.</summary>
    public long Int64(string name) => row.TryGetValue(name, out var v)
        ? v switch
        {
            long l => l,
            int i => i,
            string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw Missing(name),
        }
        : throw Missing(name);

    public ulong UInt64(string name) => unchecked((ulong)Int64(name));

    public bool Boolean(string name) => row.TryGetValue(name, out var v) && v is bool b ? b : throw Missing(name);

    public bool Has(string name) => row.TryGetValue(name, out var v) && v is not null;

    public byte[] Chunked(string name)
    {
        var count = Int64(name + "Chunks");
        if (count is < 0 or > int.MaxValue)
        {
            throw Missing(name + "Chunks");
        }

        var parts = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var property = name + i.ToString(CultureInfo.InvariantCulture);
            parts[i] = row.TryGetValue(property, out var v) switch
            {
                true when v is byte[] bytes => bytes,
                true when v is BinaryData data => data.ToArray(),
                _ => throw Missing(property),
            };
        }

        return parts.Length == 1 ? parts[0] : parts.SelectMany(p => p).ToArray();
    }

    private StorageException Missing(string name) =>
        new($"The stored row ({row.PartitionKey}, {row.RowKey}) lacks a readable property \"{name}\".");
}
