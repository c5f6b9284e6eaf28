using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Tests.KeySets;

/// <summary>
/// Builds key-set and business entries by hand, bypassing <see cref="KeySetAuthor"/>'s own checks,
/// so tests can present a key set with exactly the bad entry they mean.
/// </summary>
internal static class KeySetScenario
{
    public const string France = "FR";
    public const string Japan = "JP";

    /// <summary>A fixed day so that every time in a test reads plainly.</summary>
    public static DateTimeOffset At(int hour, int minute = 0) => new(2026, 11, 20, hour, minute, 0, TimeSpan.Zero);

    /// <summary>A key-set entry following <paramref name="head"/>, with the given fields, signed by <paramref name="signer"/>.</summary>
    public static DisclosedEntry Event(
        EntryBody? head, string entryType, IEnumerable<KeyValuePair<string, string>> fields, ISigner signer, DateTimeOffset timestamp, string administration = France)
    {
        var payload = SealedPayload.Seal(fields);
        var body = new EntryBody(
            administration,
            KeySetFormat.EntityKind,
            administration,
            (head?.Sequence ?? 0) + 1,
            head?.Hash ?? Hash256.Zero,
            timestamp,
            entryType,
            payload.Commitments,
            signer.KeyId,
            signer.Algorithm);
        return new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);
    }

    /// <summary>A key-set entry carrying <paramref name="keyEvent"/> in its exact field format.</summary>
    public static DisclosedEntry Event(EntryBody? head, KeyEvent keyEvent, ISigner signer, DateTimeOffset timestamp, string administration = France) =>
        Event(head, keyEvent.EntryType, keyEvent.ToFields(), signer, timestamp, administration);

    /// <summary>The fields of <paramref name="keyEvent"/> with one value replaced (or removed when null).</summary>
    public static Dictionary<string, string> FieldsWith(KeyEvent keyEvent, string name, string? value)
    {
        var fields = keyEvent.ToFields().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        if (value is null)
        {
            fields.Remove(name);
        }
        else
        {
            fields[name] = value;
        }

        return fields;
    }

    /// <summary>An AEO entry of an ordinary business chain, signed by <paramref name="signer"/>.</summary>
    public static LedgerEntry AeoEntry(EntryBody? previous, ISigner signer, DateTimeOffset timestamp, string administration = France)
    {
        var payload = SealedPayload.Seal([new("status", "certified")]);
        var body = new EntryBody(
            administration,
            "aeo-operator",
            $"{administration}AEO0001",
            (previous?.Sequence ?? 0) + 1,
            previous?.Hash ?? Hash256.Zero,
            timestamp,
            "aeo.certified",
            payload.Commitments,
            signer.KeyId,
            signer.Algorithm);
        return LedgerEntry.Sign(body, signer);
    }

    /// <summary>A chain of AEO entries, each signed by its signer at its time.</summary>
    public static List<LedgerEntry> AeoChain(params (ISigner Signer, DateTimeOffset At)[] steps)
    {
        var chain = new List<LedgerEntry>();
        foreach (var (signer, at) in steps)
        {
            chain.Add(AeoEntry(chain.LastOrDefault()?.Body, signer, at));
        }

        return chain;
    }
}
