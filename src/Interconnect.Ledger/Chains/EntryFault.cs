namespace Interconnect.Ledger.Chains;

/// <summary>Exactly what is wrong with one entry of a chain. Never a bare bool.</summary>
public abstract record EntryFault(ulong Sequence)
{
    /// <summary>A sentence for logs, signed rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>The entry's previous hash is not the hash of the entry before it.</summary>
    public sealed record HashMismatch(ulong Sequence, Hash256 Expected, Hash256 Actual) : EntryFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: previous hash {Actual} does not match {Expected}.";
    }

    /// <summary>The sequence number is not the next one.</summary>
    public sealed record SequenceGap(ulong Expected, ulong Actual) : EntryFault(Actual)
    {
        /// <inheritdoc />
        public override string Describe() => $"Sequence {Expected} expected, {Actual} given.";
    }

    /// <summary>The signature does not verify with the named key.</summary>
    public sealed record BadSignature(ulong Sequence, string KeyId) : EntryFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: the signature does not verify with key {KeyId}.";
    }

    /// <summary>The origin has no key with that id.</summary>
    public sealed record UnknownKey(ulong Sequence, string Origin, string KeyId) : EntryFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: {Origin} has no key {KeyId}.";
    }

    /// <summary>The key exists but was not valid when the entry says it was signed.</summary>
    public sealed record KeyNotValidAtTime(ulong Sequence, string KeyId, DateTimeOffset At, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, string Reason)
        : EntryFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Entry {Sequence}: key {KeyId} was not valid at {At:O} ({Reason}; valid from {ValidFrom:O}{(ValidUntil is { } u ? $" until {u:O}" : string.Empty)}).";
    }

    /// <summary>The entry's timestamp is earlier than the previous entry's.</summary>
    public sealed record TimestampWentBackwards(ulong Sequence, DateTimeOffset Previous, DateTimeOffset Actual) : EntryFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: timestamp {Actual:O} is earlier than the previous entry's {Previous:O}.";
    }

    /// <summary>The entry belongs to another origin or entity than the chain being verified.</summary>
    public sealed record WrongEntity(ulong Sequence, string Expected, string Actual) : EntryFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: belongs to {Actual}, not {Expected}.";
    }
}

/// <summary>The outcome of verifying a chain: how many entries verified, and the first fault if any.</summary>
/// <param name="Verified">Entries that verified before the first fault (all of them when valid).</param>
/// <param name="Fault">The first fault, or null.</param>
/// <param name="Head">Hash of the last verified entry (zero when none).</param>
public sealed record ChainVerification(int Verified, EntryFault? Fault, Hash256 Head)
{
    /// <summary>True when every entry verified.</summary>
    public bool IsValid => Fault is null;
}
