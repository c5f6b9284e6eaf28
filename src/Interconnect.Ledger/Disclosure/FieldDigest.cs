using System.Security.Cryptography;
using Interconnect.Ledger.Encoding;

namespace Interconnect.Ledger.Disclosure;

/// <summary>
/// The salted digest of one payload field (docs/ledger-format.md, "Field digests"):
/// SHA-256("interconnect/field" 0x00 || 0x01 || bytes(salt) || string(name) || string(value)).
/// </summary>
public static class FieldDigest
{
    /// <summary>The domain-separation tag of field digests.</summary>
    public const string DomainTag = "interconnect/field";

    /// <summary>Format version of field digests.</summary>
    public const byte Version = 1;

    /// <summary>Salt length used when sealing (bytes); 128 bits is the floor.</summary>
    public const int SaltLength = 16;

    /// <summary>Longest salt accepted when verifying.</summary>
    public const int MaxSaltLength = 64;

    /// <summary>Largest field value accepted, in UTF-8 bytes.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Computes the digest of one field.</summary>
    public static Hash256 Compute(ReadOnlySpan<byte> salt, string name, string value)
    {
        if (salt.Length < SaltLength || salt.Length > MaxSaltLength)
        {
            throw new ArgumentException($"A field salt is {SaltLength} to {MaxSaltLength} bytes; {salt.Length} given.", nameof(salt));
        }

        var writer = new CanonicalWriter(64 + name.Length + value.Length)
            .Domain(DomainTag).U8(Version).Bytes(salt).Utf8(name).Utf8(value);
        return Hash256.Adopt(SHA256.HashData(writer.WrittenSpan));
    }

    /// <summary>A fresh random salt from the system's secure random source.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltLength);
}
