using System.Text;
using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Entries;

namespace Interconnect.Ledger.Receipts;

/// <summary>
/// A partner's verdict on one entry of another administration's ledger: <see cref="Issuer"/> received
/// entry <see cref="Sequence"/> of <see cref="Origin"/>'s entity <see cref="EntityKind"/>/<see cref="EntityId"/>,
/// hashing to <see cref="EntryHash"/>, and says <see cref="Verdict"/>. A rejection of input that did
/// not decode leaves the entry unnamed (empty kind and id, sequence 0, zero hash). Validated on
/// construction; the issue time is truncated to the microsecond, the precision signed bytes carry.
/// </summary>
public sealed record Receipt(
    string Issuer,
    string Origin,
    string EntityKind,
    string EntityId,
    ulong Sequence,
    Hash256 EntryHash,
    ReceiptVerdict Verdict,
    string Reason,
    DateTimeOffset IssuedAt)
{
    /// <summary>The longest reason, in UTF-8 bytes.</summary>
    public const int MaxReasonBytes = 1024;

    // Runs before any property is set, so an invalid receipt is never built; the properties are
    // get-only, so a with-expression cannot build one either.
    private readonly long _issuedAtMicros = Validate(Issuer, Origin, EntityKind, EntityId, Sequence, EntryHash, Verdict, Reason, IssuedAt);

    /// <summary>The administration that issues and signs the receipt.</summary>
    public string Issuer { get; } = Issuer;

    /// <summary>The administration that originated the entry.</summary>
    public string Origin { get; } = Origin;

    /// <summary>The entry's entity kind; empty when the entry is unnamed.</summary>
    public string EntityKind { get; } = EntityKind;

    /// <summary>The entry's entity id; empty when the entry is unnamed.</summary>
    public string EntityId { get; } = EntityId;

    /// <summary>The entry's sequence in its entity, from 1; 0 when the entry is unnamed.</summary>
    public ulong Sequence { get; } = Sequence;

    /// <summary>The entry hash (SHA-256 of its signing input); zero when the entry is unnamed.</summary>
    public Hash256 EntryHash { get; } = EntryHash;

    /// <summary>What the issuer says about the entry.</summary>
    public ReceiptVerdict Verdict { get; } = Verdict;

    /// <summary>Why: empty for an endorsement, required for a rejection, optional for a business acceptance.</summary>
    public string Reason { get; } = Reason;

    /// <summary>When the receipt was issued, in microseconds since 1970-01-01T00:00:00Z.</summary>
    public long IssuedAtMicros => _issuedAtMicros;

    /// <summary>When the receipt was issued (microsecond precision, UTC); the key is resolved at this time.</summary>
    public DateTimeOffset IssuedAt => DateTimeOffset.UnixEpoch.AddTicks(_issuedAtMicros * 10);

    /// <summary>False only for a rejection of input that did not decode far enough to name an entry.</summary>
    public bool NamesEntry => EntityKind.Length != 0;

    /// <inheritdoc />
    public override string ToString() => NamesEntry
        ? $"{Issuer} {Verdict} {Origin}/{EntityKind}/{EntityId}#{Sequence} {EntryHash} at {IssuedAt:O}"
        : $"{Issuer} {Verdict} undecodable input from {Origin} at {IssuedAt:O}";

    private static long Validate(
        string issuer, string origin, string entityKind, string entityId, ulong sequence, Hash256 entryHash, ReceiptVerdict verdict, string reason, DateTimeOffset issuedAt)
    {
        Identifier.Require(issuer, "issuer administration");
        Identifier.Require(origin, "origin administration");
        ArgumentNullException.ThrowIfNull(entityKind);
        ArgumentNullException.ThrowIfNull(entityId);
        ArgumentNullException.ThrowIfNull(reason);
        if (!Enum.IsDefined(verdict))
        {
            throw new ArgumentException($"Receipt verdict {(byte)verdict} is unknown.", nameof(verdict));
        }

        if (entityKind.Length == 0 && entityId.Length == 0 && sequence == 0 && entryHash == Hash256.Zero)
        {
            if (verdict != ReceiptVerdict.Rejected)
            {
                throw new ArgumentException(
                    $"Only a rejection of input that did not decode may leave the entry unnamed; a {verdict} receipt names its entry.", nameof(entityKind));
            }
        }
        else
        {
            CheckNamedEntry(origin, entityKind, entityId, sequence, entryHash);
        }

        CheckReason(verdict, reason);
        return EntryBody.ToMicros(EntryBody.TruncateToMicros(issuedAt));
    }

    private static void CheckNamedEntry(string origin, string entityKind, string entityId, ulong sequence, Hash256 entryHash)
    {
        // Either all four name the entry or none does: a half-named entry is a bug in the issuer.
        const string Rule = "A receipt names its entry by entity kind, entity id, sequence and hash, or leaves all four empty (a rejection of input that did not decode)";
        if (!Identifier.IsValid(entityKind) || !Identifier.IsValid(entityId))
        {
            throw new ArgumentException(
                $"{Rule}: the entity kind \"{entityKind}\" {Identifier.Explain(entityKind) ?? "is valid"}, the entity id \"{entityId}\" {Identifier.Explain(entityId) ?? "is valid"}.",
                nameof(entityKind));
        }

        if (sequence == 0)
        {
            throw new ArgumentException($"{Rule}: sequence numbers start at 1; 0 given for {origin}/{entityKind}/{entityId}.", nameof(sequence));
        }

        if (entryHash == Hash256.Zero)
        {
            throw new ArgumentException($"{Rule}: {origin}/{entityKind}/{entityId}#{sequence} is named with the zero entry hash.", nameof(entryHash));
        }
    }

    /// <summary>
    /// <paramref name="reason"/> made fit for a receipt: cut at a character boundary, with an ellipsis,
    /// to at most <see cref="MaxReasonBytes"/> UTF-8 bytes; a lone surrogate becomes U+FFFD.
    /// </summary>
    public static string FitReason(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        const char ellipsis = '\u2026';
        const int ellipsisBytes = 3;
        var builder = new System.Text.StringBuilder(reason.Length);
        var bytes = 0;
        var runes = reason.EnumerateRunes().ToList();
        var total = runes.Sum(r => r.Utf8SequenceLength);
        var budget = total <= MaxReasonBytes ? MaxReasonBytes : MaxReasonBytes - ellipsisBytes;
        foreach (var rune in runes)
        {
            if (bytes + rune.Utf8SequenceLength > budget)
            {
                return builder.Append(ellipsis).ToString();
            }

            builder.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }

        return builder.ToString();
    }

    private static void CheckReason(ReceiptVerdict verdict, string reason)
    {
        int bytes;
        try
        {
            bytes = CanonicalWriter.StrictUtf8.GetByteCount(reason);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The reason is not valid Unicode: it holds a lone surrogate.", nameof(reason), e);
        }

        if (bytes > MaxReasonBytes)
        {
            throw new ArgumentException($"A reason is at most {MaxReasonBytes} UTF-8 bytes; {bytes} given.", nameof(reason));
        }

        if (verdict == ReceiptVerdict.Endorsed && bytes != 0)
        {
            throw new ArgumentException($"An endorsement carries no reason; {bytes} bytes given.", nameof(reason));
        }

        if (verdict is ReceiptVerdict.Rejected or ReceiptVerdict.BusinessRejected && bytes == 0)
        {
            throw new ArgumentException($"A {verdict} receipt must say why; the reason is empty.", nameof(reason));
        }
    }
}
