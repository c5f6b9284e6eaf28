using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.KeySets;

/// <summary>One key of an administration's key set and the events that shaped its validity.</summary>
/// <param name="PublicKey">The verification key.</param>
/// <param name="ValidFrom">The timestamp of the entry that added it.</param>
/// <param name="AddedInSequence">The sequence number of that entry.</param>
/// <param name="AuthorizedBy">The key that signed that entry (the key itself for the genesis).</param>
/// <param name="Rotation">The rotation that replaced it, if any.</param>
/// <param name="Revocation">The revocation that ended it, if any.</param>
public sealed record AdministrationKey(
    PublicKey PublicKey,
    DateTimeOffset ValidFrom,
    ulong AddedInSequence,
    string AuthorizedBy,
    KeyRotation? Rotation,
    KeyRevocation? Revocation)
{
    /// <summary>The key id.</summary>
    public string KeyId => PublicKey.KeyId;

    /// <summary>True for the genesis key, which is trusted through the pinned anchor alone.</summary>
    public bool IsGenesis => AddedInSequence == 1;

    /// <summary>The earlier of the rotation time and the revocation's effective time; null while open-ended.</summary>
    public DateTimeOffset? ValidUntil =>
        (Rotation, Revocation) switch
        {
            (null, null) => null,
            ({ } r, null) => r.At,
            (null, { } v) => v.EffectiveAt,
            ({ } r, { } v) => r.At < v.EffectiveAt ? r.At : v.EffectiveAt,
        };

    /// <summary>Why the key had ended by <paramref name="at"/>, or null while it had not.</summary>
    internal string? EndedBy(DateTimeOffset at)
    {
        // Revocation first: when both apply, the revocation is the stronger statement for an auditor.
        if (Revocation is { } v && at >= v.EffectiveAt)
        {
            return $"revoked at {KeySetFormat.FormatTime(v.EffectiveAt)}: {v.Reason}";
        }

        return Rotation is { } r && at >= r.At ? $"rotated at {KeySetFormat.FormatTime(r.At)}" : null;
    }
}

/// <summary>A key.rotated event as it affects the key it replaced.</summary>
/// <param name="At">The rotation entry's timestamp: the old key is not valid from then on.</param>
/// <param name="SuccessorKeyId">The key that replaced it.</param>
/// <param name="Sequence">The rotation entry's sequence number.</param>
public sealed record KeyRotation(DateTimeOffset At, string SuccessorKeyId, ulong Sequence);

/// <summary>A key.revoked event as it affects the key it revoked.</summary>
/// <param name="EffectiveAt">The key is not valid from then on (may precede <paramref name="RecordedAt"/>).</param>
/// <param name="Reason">Why, as given.</param>
/// <param name="Sequence">The revocation entry's sequence number.</param>
/// <param name="RecordedAt">The revocation entry's timestamp.</param>
public sealed record KeyRevocation(DateTimeOffset EffectiveAt, string Reason, ulong Sequence, DateTimeOffset RecordedAt);
