using Interconnect.Contracts;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Node.Replication;

/// <summary>Converts entries between the ledger's types and the wire contracts.</summary>
internal static class WireCodec
{
    /// <summary>Largest encoded entry accepted from a partner (the ledger's own limit is far below).</summary>
    public const int MaxEntryBytes = 256 * 1024;

    /// <summary>Most fields accepted on one entry.</summary>
    public const int MaxFields = 512;

    /// <summary>Most entries one message may carry (a sender's batch is at most 1000 log leaves, see BatchSize).</summary>
    public const int MaxEntriesPerMessage = 1000;

    /// <summary>Largest disclosed field value accepted, in UTF-8 bytes: what the ledger lets a field hold.</summary>
    public const int MaxFieldValueBytes = FieldDigest.MaxValueBytes;

    /// <summary>
    /// Most bytes of entries and disclosed fields one message may carry. Real batches are far below:
    /// an entry with its fields is a few kilobytes. RabbitMQ's own max_message_size caps the transport.
    /// </summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>Why a message is too large to handle at all, or null when it is within the limits.</summary>
    public static string? MessageTooLarge(IReadOnlyList<WireEntry?>? entries)
    {
        if (entries is null)
        {
            return null;
        }

        if (entries.Count > MaxEntriesPerMessage)
        {
            return $"The message carries {entries.Count} entries; at most {MaxEntriesPerMessage} are accepted.";
        }

        long bytes = 0;
        foreach (var wire in entries)
        {
            bytes += Size(wire);
        }

        return bytes > MaxMessageBytes
            ? $"The message carries {bytes} bytes of entries and fields; at most {MaxMessageBytes} are accepted."
            : null;
    }

    /// <summary>What one entry counts towards <see cref="MaxMessageBytes"/>: its bytes and its disclosed fields.</summary>
    public static long Size(WireEntry? wire)
    {
        long bytes = wire?.Entry?.Length ?? 0;
        foreach (var field in wire?.Fields ?? [])
        {
            bytes += (field?.Value is { } value ? System.Text.Encoding.UTF8.GetByteCount(value) : 0) + (field?.Name?.Length ?? 0) + (field?.Salt?.Length ?? 0);
        }

        return bytes;
    }

    /// <summary>Why one entry is too large to handle, or null when it is within the limits.</summary>
    public static string? EntryTooLarge(WireEntry? wire)
    {
        if (wire?.Entry is { Length: > MaxEntryBytes })
        {
            return $"The entry is {wire.Entry.Length} bytes; at most {MaxEntryBytes} are accepted.";
        }

        foreach (var field in wire?.Fields ?? [])
        {
            if (field?.Value is { } value && value.Length > MaxFieldValueBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(value) > MaxFieldValueBytes)
            {
                return $"The field \"{Truncate(field.Name)}\" is {System.Text.Encoding.UTF8.GetByteCount(value)} bytes; at most {MaxFieldValueBytes} are accepted.";
            }
        }

        return null;
    }

    /// <summary>The signed entry of an oversized wire entry without its fields, when it can be read, so a rejection can name it.</summary>
    public static DisclosedEntry? HeaderOf(WireEntry? wire)
    {
        if (wire?.Entry is not { Length: <= MaxEntryBytes } bytes)
        {
            return null;
        }

        var decoded = LedgerEntry.Decode(bytes);
        return decoded.Ok ? new DisclosedEntry(decoded.Value!, []) : null;
    }

    public static WireEntry ToWire(DisclosedEntry entry) =>
        new(entry.Entry.Encode(), [.. entry.Fields.Select(f => new WireField(f.Name, f.Value, f.Salt))]);

    /// <summary>Decodes a received entry; returns why it cannot be read instead of throwing.</summary>
    public static (DisclosedEntry? Entry, string? Problem) FromWire(WireEntry? wire)
    {
        if (wire?.Entry is null)
        {
            return (null, "The message holds an entry without bytes.");
        }

        if (wire.Entry.Length > MaxEntryBytes)
        {
            return (null, $"The entry is {wire.Entry.Length} bytes; at most {MaxEntryBytes} are accepted.");
        }

        var fields = wire.Fields ?? [];
        if (fields.Count > MaxFields)
        {
            return (null, $"The entry discloses {fields.Count} fields; at most {MaxFields} are accepted.");
        }

        var decoded = LedgerEntry.Decode(wire.Entry);
        if (!decoded.Ok)
        {
            return (null, $"The entry cannot be decoded: {decoded.Error!.Message}");
        }

        if (fields.Any(f => f?.Name is null || f.Value is null || f.Salt is null))
        {
            return (null, "A disclosed field lacks its name, value or salt.");
        }

        return (new DisclosedEntry(decoded.Value!, [.. fields.Select(f => new DisclosedField(f.Name, f.Value, f.Salt))]), null);
    }

    private static string Truncate(string? name) => name is null ? "(unnamed)" : name.Length <= 64 ? name : name[..64] + "...";
}
