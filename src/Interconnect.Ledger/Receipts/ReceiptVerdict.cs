namespace Interconnect.Ledger.Receipts;

/// <summary>What a partner says about an entry it received (u8 on the wire). Values are never reused.</summary>
public enum ReceiptVerdict : byte
{
    /// <summary>The entry decoded, chained and verified: the partner countersigns it.</summary>
    Endorsed = 1,

    /// <summary>The entry failed a ledger rule (format, chain, signature, key); the reason says which.</summary>
    Rejected = 2,

    /// <summary>The entry verified and the partner's business rules accept it.</summary>
    BusinessAccepted = 3,

    /// <summary>The entry verified but the partner's business rules refuse it; the reason says why.</summary>
    BusinessRejected = 4,
}
