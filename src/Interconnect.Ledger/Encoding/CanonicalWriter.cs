using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Interconnect.Ledger.Encoding;

/// <summary>
/// Writes the canonical byte layouts that are hashed and signed (docs/ledger-format.md):
/// big-endian fixed-width integers, and strings and byte strings prefixed with a 4-byte length.
/// </summary>
public sealed class CanonicalWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    /// <summary>Creates a writer with the given initial capacity.</summary>
    public CanonicalWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>A copy of the bytes written so far.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Writes a domain-separation prefix: its ASCII bytes followed by one 0x00.</summary>
    public CanonicalWriter Domain(string asciiTag)
    {
        var span = _buffer.GetSpan(asciiTag.Length + 1);
        var n = System.Text.Encoding.ASCII.GetBytes(asciiTag, span);
        span[n] = 0;
        _buffer.Advance(n + 1);
        return this;
    }

    /// <summary>Writes one byte.</summary>
    public CanonicalWriter U8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    /// <summary>Writes a 16-bit unsigned integer, big-endian.</summary>
    public CanonicalWriter U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
        return this;
    }

    /// <summary>Writes a 32-bit unsigned integer, big-endian.</summary>
    public CanonicalWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    /// <summary>Writes a 64-bit unsigned integer, big-endian.</summary>
    public CanonicalWriter U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    /// <summary>Writes a 64-bit signed integer, big-endian two's complement.</summary>
    public CanonicalWriter I64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    /// <summary>Writes raw bytes with no length prefix (fixed-size fields such as digests).</summary>
    public CanonicalWriter Fixed(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>Writes a digest (32 bytes, no prefix).</summary>
    public CanonicalWriter Hash(Hash256 hash) => Fixed(hash.Span);

    /// <summary>Writes a byte string: u32 length, then the bytes.</summary>
    public CanonicalWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        U32(checked((uint)bytes.Length));
        return Fixed(bytes);
    }

    /// <summary>Writes a string: u32 byte length, then its UTF-8 bytes.</summary>
    public CanonicalWriter Utf8(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var byteCount = StrictUtf8.GetByteCount(value);
        U32(checked((uint)byteCount));
        var span = _buffer.GetSpan(byteCount);
        StrictUtf8.GetBytes(value, span);
        _buffer.Advance(byteCount);
        return this;
    }

    /// <summary>UTF-8 that throws on lone surrogates instead of writing replacement characters.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
