using Interconnect.Ledger.Disclosure;
using Interconnect.Storage;

namespace Interconnect.Node.Api.Ledgers;

/// <summary>Names one entity's chain.</summary>
/// <param name="Origin">The administration that originates and signs it.</param>
/// <param name="Kind">The entity kind, e.g. "aeo-operator".</param>
/// <param name="Id">The entity's natural id.</param>
public sealed record EntityReference(string Origin, string Kind, string Id)
{
    /// <summary>From a storage key.</summary>
    public static EntityReference From(EntityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Origin, key.Kind, key.Id);
    }
}

/// <summary>One signed ledger entry with the field values this node holds.</summary>
/// <param name="Sequence">Position in the entity's chain, from 1.</param>
/// <param name="EntryType">What happened, e.g. "aeo.suspended".</param>
/// <param name="Timestamp">When the origin signed it (UTC, microseconds).</param>
/// <param name="EntryHash">SHA-256 of the signing input (hex).</param>
/// <param name="PreviousHash">The previous entry's hash (hex; zeros for sequence 1).</param>
/// <param name="KeyId">The signing key.</param>
/// <param name="Algorithm">The signature algorithm, e.g. "EcdsaP256Sha256".</param>
/// <param name="Signature">The signature (hex, IEEE P1363 r||s).</param>
/// <param name="Fields">Field values held in the clear.</param>
/// <param name="Salts">Each clear field's salt (base64): with the value it recomputes the digest the signature covers.</param>
/// <param name="WithheldFields">Fields the entry commits to whose values this node does not hold.</param>
/// <param name="Encoded">The entry's wire form (base64): signing input then signature, see docs/ledger-format.md.</param>
public sealed record LedgerEntryResponse(
    ulong Sequence,
    string EntryType,
    DateTimeOffset Timestamp,
    string EntryHash,
    string PreviousHash,
    string KeyId,
    string Algorithm,
    string Signature,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyDictionary<string, string> Salts,
    IReadOnlyList<string> WithheldFields,
    string Encoded)
{
    /// <summary>The entry with every field this node holds.</summary>
    public static LedgerEntryResponse From(DisclosedEntry entry) => From(entry, _ => true);

    /// <summary>The entry with only the clear fields <paramref name="disclose"/> allows; the others are listed as withheld.</summary>
    public static LedgerEntryResponse From(DisclosedEntry entry, Func<string, bool> disclose)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(disclose);
        var body = entry.Entry.Body;
        var shown = entry.Fields.Where(f => disclose(f.Name)).ToList();
        return new LedgerEntryResponse(
            body.Sequence,
            body.EntryType,
            body.Timestamp,
            body.Hash.ToString(),
            body.PreviousHash.ToString(),
            body.KeyId,
            body.Algorithm.ToString(),
            Convert.ToHexStringLower(entry.Entry.Signature),
            shown.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal),
            shown.ToDictionary(f => f.Name, f => Convert.ToBase64String(f.Salt), StringComparer.Ordinal),
            [.. body.Fields.Select(f => f.Name).Where(n => !shown.Any(s => string.Equals(s.Name, n, StringComparison.Ordinal)))],
            Convert.ToBase64String(entry.Entry.Encode()));
    }
}

/// <summary>A page of one entity's ledger.</summary>
/// <param name="Entity">The entity.</param>
/// <param name="LastSequence">The sequence of the chain's last entry.</param>
/// <param name="Entries">The entries read, in order.</param>
/// <param name="NextFrom">Pass as <c>from</c> to read on; null when the page reaches the chain's end.</param>
public sealed record EntityLedgerResponse(EntityReference Entity, ulong LastSequence, IReadOnlyList<LedgerEntryResponse> Entries, ulong? NextFrom);

/// <summary>A partner's signed answer to one of our entries, with how long after our signature it came.</summary>
/// <param name="Issuer">The partner.</param>
/// <param name="Verdict">"endorsed", "rejected", "business-accepted" or "business-rejected".</param>
/// <param name="Reason">Why (rejections).</param>
/// <param name="IssuedAt">When the partner signed it.</param>
/// <param name="LatencyMs">Milliseconds from our entry's timestamp to the partner's signature.</param>
public sealed record ReceiptResponse(string Issuer, string Verdict, string Reason, DateTimeOffset IssuedAt, double? LatencyMs);

/// <summary>Endorsement status of one of our entries.</summary>
/// <param name="Sequence">The entry's sequence.</param>
/// <param name="EntryHash">The entry hash (hex).</param>
/// <param name="EntryType">The entry type.</param>
/// <param name="Timestamp">When we signed it (null if the entry is no longer readable here).</param>
/// <param name="Quorum">Endorsements the governing MRA requires (0 when none governs it).</param>
/// <param name="Recognized">Whether the quorum is met.</param>
/// <param name="Receipts">Partners' receipts.</param>
public sealed record EntryEndorsementResponse(
    ulong Sequence,
    string EntryHash,
    string EntryType,
    DateTimeOffset? Timestamp,
    int Quorum,
    bool Recognized,
    IReadOnlyList<ReceiptResponse> Receipts);

/// <summary>Endorsement status of every entry of one of our entities.</summary>
/// <param name="Entity">The entity.</param>
/// <param name="Entries">One item per entry, in sequence order.</param>
public sealed record EndorsementsResponse(EntityReference Entity, IReadOnlyList<EntryEndorsementResponse> Entries);
