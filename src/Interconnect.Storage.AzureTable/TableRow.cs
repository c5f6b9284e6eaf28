using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Interconnect.Storage.AzureTable;

/// <summary>Writes one entity as OData JSON, with type annotations where JSON alone is ambiguous.</summary>
internal sealed class TableRowWriter : IDisposable
{
    /// <summary>
    /// Binary properties are split into chunks below the 64 KiB per-property limit (with margin for
    /// emulators that count differently), so entries and field sets of any allowed size fit.
    /// </summary>
    public const int ChunkBytes = 60 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public TableRowWriter(string partitionKey, string rowKey)
    {
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
        _json.WriteString("PartitionKey", partitionKey);
        _json.WriteString("RowKey", rowKey);
    }

    public TableRowWriter String(string name, string value)
    {
        _json.WriteString(name, value);
        return this;
    }

    public TableRowWriter Int64(string name, long value)
    {
        _json.WriteString(name + "@odata.type", "Edm.Int64");
        _json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public TableRowWriter UInt64(string name, ulong value) => Int64(name, unchecked((long)value));

    public TableRowWriter Int32(string name, int value)
    {
        _json.WriteNumber(name, value);
        return this;
    }

    public TableRowWriter Boolean(string name, bool value)
    {
        _json.WriteBoolean(name, value);
        return this;
    }

    /// <summary>Writes <paramref name="value"/> as name0, name1, ... Edm.Binary chunks and nameChunks.</summary>
    public TableRowWriter Chunked(string name, ReadOnlySpan<byte> value)
    {
        var chunks = 0;
        for (var offset = 0; offset < value.Length || chunks == 0; offset += ChunkBytes)
        {
            var piece = value.Slice(offset, Math.Min(ChunkBytes, value.Length - offset));
            var property = name + chunks.ToString(CultureInfo.InvariantCulture);
            _json.WriteString(property + "@odata.type", "Edm.Binary");
            _json.WriteBase64String(property, piece);
            chunks++;
        }

        _json.WriteNumber(name + "Chunks", chunks);
        return this;
    }

    public byte[] ToArray()
    {
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _json.Dispose();
}

/// <summary>Reads one stored entity from OData JSON (minimal or no metadata).</summary>
internal readonly struct TableRow(JsonElement element)
{
    public string PartitionKey => String(nameof(PartitionKey));

    public string RowKey => String(nameof(RowKey));

    /// <summary>The row's ETag when the response carried metadata (queries), else null.</summary>
    public string? ETag => element.TryGetProperty("odata.etag", out var e) ? e.GetString() : null;

    public string String(string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw Missing(name);

    public long Int64(string name)
    {
        if (!element.TryGetProperty(name, out var v))
        {
            throw Missing(name);
        }

        return v.ValueKind == JsonValueKind.String
            ? long.Parse(v.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : v.GetInt64();
    }

    public ulong UInt64(string name) => unchecked((ulong)Int64(name));

    public bool Boolean(string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Missing(name);

    public bool Has(string name) => element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public byte[] Chunked(string name)
    {
        var count = (int)Int64(name + "Chunks");
        var parts = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var property = name + i.ToString(CultureInfo.InvariantCulture);
            if (!element.TryGetProperty(property, out var v) || v.ValueKind != JsonValueKind.String)
            {
                throw Missing(property);
            }

            parts[i] = v.GetBytesFromBase64();
        }

        return parts.Length == 1 ? parts[0] : parts.SelectMany(p => p).ToArray();
    }

    private StorageException Missing(string name)
    {
        var pk = element.TryGetProperty(nameof(PartitionKey), out var p) ? p.GetString() : "?";
        var rk = element.TryGetProperty(nameof(RowKey), out var r) ? r.GetString() : "?";
        return new StorageException($"The stored row ({pk}, {rk}) lacks a readable property \"{name}\".");
    }
}
