namespace Interconnect.Ledger.Checkpoints;

/// <summary>Exactly why a signed checkpoint does not verify. Never a bare bool.</summary>
public abstract record CheckpointFault
{
    private CheckpointFault()
    {
    }

    /// <summary>A sentence for logs, rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>The origin has no key with that id.</summary>
    public sealed record UnknownKey(string Origin, string KeyId) : CheckpointFault
    {
        /// <inheritdoc />
        public override string Describe() => $"{Origin} has no key {KeyId}.";
    }

    /// <summary>The key exists but was not valid at the checkpoint's time.</summary>
    public sealed record KeyNotValidAtTime(string KeyId, DateTimeOffset At, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, string Reason) : CheckpointFault
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Key {KeyId} was not valid at {At:O} ({Reason}; valid from {ValidFrom:O}{(ValidUntil is { } u ? $" until {u:O}" : string.Empty)}).";
    }

    /// <summary>The signature does not verify with the named key.</summary>
    public sealed record BadSignature(string KeyId) : CheckpointFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The checkpoint signature does not verify with key {KeyId}.";
    }
}
