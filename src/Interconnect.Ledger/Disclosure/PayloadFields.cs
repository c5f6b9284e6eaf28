namespace Interconnect.Ledger.Disclosure;

/// <summary>One field of a payload in the clear, with the salt that hides it in the digest.</summary>
/// <param name="Name">Field name (an <see cref="Entries.Identifier"/>).</param>
/// <param name="Value">Field value, any UTF-8 text up to <see cref="FieldDigest.MaxValueBytes"/>.</param>
/// <param name="Salt">Random salt, at least 16 bytes.</param>
public sealed record DisclosedField(string Name, string Value, byte[] Salt)
{
    /// <summary>The digest this field commits to.</summary>
    public Hash256 Digest() => FieldDigest.Compute(Salt, Name, Value);
}

/// <summary>What the signature covers for one field: its name and salted digest.</summary>
public sealed record FieldCommitment(string Name, Hash256 Digest);
