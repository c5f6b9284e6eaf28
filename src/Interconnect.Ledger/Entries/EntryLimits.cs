namespace Interconnect.Ledger.Entries;

/// <summary>Hard limits on entries, checked when building and when decoding.</summary>
public static class EntryLimits
{
    /// <summary>Most fields in one payload.</summary>
    public const int MaxFields = 256;

    /// <summary>Largest encoded signed entry, in bytes (commitments only; values travel apart).</summary>
    public const int MaxEncodedBytes = 64 * 1024;

    /// <summary>Largest sum of field value sizes in one payload, in UTF-8 bytes.</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    /// <summary>Longest signature accepted, in bytes.</summary>
    public const int MaxSignatureBytes = 512;
}
