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
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (salt.Length < SaltLength || salt.Length > MaxSaltLength)
        {
            throw new ArgumentException($"A field salt is {SaltLength} to {MaxSaltLength} bytes; {salt.Length} given.", nameof(salt));
        }

        // Sealing runs once per field of every entry, so the layout is written straight into one
        // buffer (stack for ordinary sizes) instead of through CanonicalWriter's growable buffer.
        var utf8 = CanonicalWriter.StrictUtf8;
        var nameBytes = utf8.GetByteCount(name);
        var valueBytes = utf8.GetByteCount(value);
        var length = DomainTag.Length + 1 + 1 + 4 + salt.Length + 4 + nameBytes + 4 + valueBytes;
        byte[]? rented = null;
        var buffer = length <= 1024 ? stackalloc byte[length] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            var at = System.Text.Encoding.ASCII.GetBytes(DomainTag, buffer);
            buffer[at++] = 0;
            buffer[at++] = Version;
            at += WriteBytes(buffer[at..], salt);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], (uint)nameBytes);
            at += 4 + utf8.GetBytes(name, buffer[(at + 4)..]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], (uint)valueBytes);
            at += 4 + utf8.GetBytes(value, buffer[(at + 4)..]);
            var digest = new byte[Hash256.Size];
            SHA256.HashData(buffer[..at], digest);
            return Hash256.Adopt(digest);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)bytes.Length);
        bytes.CopyTo(destination[4..]);
        return 4 + bytes.Length;
    }

    /// <summary>A fresh random salt from the system's secure random source.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltLength);
}
