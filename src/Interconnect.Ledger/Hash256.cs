using System.Security.Cryptography;

namespace Interconnect.Ledger;

/// <summary>A SHA-256 digest: 32 bytes, compared by value, shown as lowercase hex.</summary>
public readonly struct Hash256 : IEquatable<Hash256>
{
    /// <summary>The number of bytes in a SHA-256 digest.</summary>
    public const int Size = 32;

    private readonly byte[]? _bytes;

    private Hash256(byte[] bytes) => _bytes = bytes;

    /// <summary>32 zero bytes: the previous hash of an entity's first entry.</summary>
    public static Hash256 Zero { get; } = new(new byte[Size]);

    /// <summary>The digest's bytes (a read-only view).</summary>
    public ReadOnlySpan<byte> Span => _bytes ?? Zero._bytes!;

    /// <summary>Wraps a copy of exactly 32 bytes.</summary>
    public static Hash256 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A SHA-256 digest is {Size} bytes; {bytes.Length} given.", nameof(bytes));
        }

        return new Hash256(bytes.ToArray());
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static Hash256 FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != Size * 2)
        {
            throw new FormatException($"A SHA-256 digest is {Size * 2} hex digits; {hex.Length} given.");
        }

        return new Hash256(Convert.FromHexString(hex));
    }

    /// <summary>Parses 64 hex digits, returning false on anything else.</summary>
    public static bool TryFromHex(string? hex, out Hash256 hash)
    {
        hash = default;
        if (hex is null || hex.Length != Size * 2)
        {
            return false;
        }

        try
        {
            hash = new Hash256(Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>SHA-256 of the given bytes.</summary>
    public static Hash256 Of(ReadOnlySpan<byte> data) => new(SHA256.HashData(data));

    /// <summary>Wraps an array the caller gives up (no copy). For hot paths inside the library.</summary>
    internal static Hash256 Adopt(byte[] bytes)
    {
        System.Diagnostics.Debug.Assert(bytes.Length == Size);
        return new Hash256(bytes);
    }

    /// <summary>A copy of the digest's bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <inheritdoc />
    public bool Equals(Hash256 other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Span[..4]);

    /// <summary>Value equality.</summary>
    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);
}
