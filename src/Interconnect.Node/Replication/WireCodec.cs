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
}
