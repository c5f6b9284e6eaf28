namespace Interconnect.Ledger.Receipts;

/// <summary>Exactly why a signed receipt does not verify. Never a bare bool.</summary>
public abstract record ReceiptFault
{
    private ReceiptFault()
    {
    }

    /// <summary>A sentence for logs, rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>The issuer has no key with that id.</summary>
    public sealed record UnknownKey(string Issuer, string KeyId) : ReceiptFault
    {
        /// <inheritdoc />
        public override string Describe() => $"{Issuer} has no key {KeyId}.";
    }

    /// <summary>The key exists but was not valid when the receipt was issued.</summary>
    public sealed record KeyNotValidAtTime(string KeyId, DateTimeOffset At, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, string Reason) : ReceiptFault
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Key {KeyId} was not valid at {At:O} ({Reason}; valid from {ValidFrom:O}{(ValidUntil is { } u ? $" until {u:O}" : string.Empty)}).";
    }

    /// <summary>The signature does not verify with the named key.</summary>
    public sealed record BadSignature(string KeyId) : ReceiptFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The receipt signature does not verify with key {KeyId}.";
    }
}
