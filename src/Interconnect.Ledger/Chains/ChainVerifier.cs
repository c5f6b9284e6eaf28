using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Chains;

/// <summary>Pure verification of single entries and of an entity's hash chain.</summary>
public static class ChainVerifier
{
    /// <summary>Verifies one entry's signature with the key its origin had at the entry's time.</summary>
    public static EntryFault? VerifySignature(LedgerEntry entry, IKeyResolver keys)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(keys);
        var body = entry.Body;
        switch (keys.Resolve(body.Origin, body.KeyId, body.Timestamp))
        {
            case KeyLookup.Found found:
                return found.Key.Verify(body.SigningInput, entry.Signature, body.Algorithm)
                    ? null
                    : new EntryFault.BadSignature(body.Sequence, body.KeyId);
            case KeyLookup.NotValidAt nv:
                return new EntryFault.KeyNotValidAtTime(body.Sequence, body.KeyId, body.Timestamp, nv.ValidFrom, nv.ValidUntil, nv.Reason);
            default:
                return new EntryFault.UnknownKey(body.Sequence, body.Origin, body.KeyId);
        }
    }

    /// <summary>
    /// Verifies that <paramref name="next"/> follows <paramref name="previous"/> (or starts a chain when
    /// previous is null): same origin and entity, next sequence, previous hash, time not going back.
    /// The signature is not checked here.
    /// </summary>
    public static EntryFault? VerifyLink(EntryBody? previous, EntryBody next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is null)
        {
            if (next.Sequence != 1)
            {
                return new EntryFault.SequenceGap(1, next.Sequence);
            }

            return next.PreviousHash == Hash256.Zero
                ? null
                : new EntryFault.HashMismatch(next.Sequence, Hash256.Zero, next.PreviousHash);
        }

        if (!SameEntity(previous, next))
        {
            return new EntryFault.WrongEntity(next.Sequence, Name(previous), Name(next));
        }

        if (next.Sequence != previous.Sequence + 1)
        {
            return new EntryFault.SequenceGap(previous.Sequence + 1, next.Sequence);
        }

        if (next.PreviousHash != previous.Hash)
        {
            return new EntryFault.HashMismatch(next.Sequence, previous.Hash, next.PreviousHash);
        }

        return next.TimestampMicros < previous.TimestampMicros
            ? new EntryFault.TimestampWentBackwards(next.Sequence, previous.Timestamp, next.Timestamp)
            : null;
    }

    /// <summary>
    /// Verifies a run of one entity's entries in order: links and signatures. When
    /// <paramref name="after"/> is given the run continues from that entry (an incremental check);
    /// otherwise it must start at sequence 1.
    /// </summary>
    public static ChainVerification Verify(IEnumerable<LedgerEntry> entries, IKeyResolver keys, EntryBody? after = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(keys);
        var previous = after;
        var verified = 0;
        foreach (var entry in entries)
        {
            var fault = VerifyLink(previous, entry.Body) ?? VerifySignature(entry, keys);
            if (fault is not null)
            {
                return new ChainVerification(verified, fault, previous?.Hash ?? Hash256.Zero);
            }

            previous = entry.Body;
            verified++;
        }

        return new ChainVerification(verified, null, previous?.Hash ?? Hash256.Zero);
    }

    private static bool SameEntity(EntryBody a, EntryBody b) =>
        string.Equals(a.Origin, b.Origin, StringComparison.Ordinal)
        && string.Equals(a.EntityKind, b.EntityKind, StringComparison.Ordinal)
        && string.Equals(a.EntityId, b.EntityId, StringComparison.Ordinal);

    private static string Name(EntryBody b) => $"{b.Origin}/{b.EntityKind}/{b.EntityId}";
}
