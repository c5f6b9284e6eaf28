using System.Buffers.Binary;
using System.Text;

namespace Interconnect.Ledger.Encoding;

/// <summary>
/// Reads the canonical layouts written by <see cref="CanonicalWriter"/>. Every read checks bounds and
/// throws <see cref="LedgerFormatException"/> with the offset; decoders turn that into a typed error.
/// </summary>
public ref struct CanonicalReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;

    /// <summary>Starts reading at the beginning of <paramref name="data"/>.</summary>
    public CanonicalReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _offset = 0;
    }

    /// <summary>The position of the next byte to read.</summary>
    public readonly int Offset => _offset;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _offset == _data.Length;

    /// <summary>Reads and checks a domain-separation prefix.</summary>
    public void Domain(string asciiTag)
    {
        var expected = System.Text.Encoding.ASCII.GetBytes(asciiTag + "\0");
        var actual = Take(expected.Length, "domain prefix");
        if (!actual.SequenceEqual(expected))
        {
            throw Fail(FormatErrorKind.WrongDomain, $"Expected the domain prefix \"{asciiTag}\" at offset {_offset - expected.Length}.");
        }
    }

    /// <summary>Reads one byte.</summary>
    public byte U8(string field) => Take(1, field)[0];

    /// <summary>Reads a big-endian u16.</summary>
    public ushort U16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

    /// <summary>Reads a big-endian u32.</summary>
    public uint U32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

    /// <summary>Reads a big-endian u64.</summary>
    public ulong U64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));

    /// <summary>Reads a big-endian i64.</summary>
    public long I64(string field) => BinaryPrimitives.ReadInt64BigEndian(Take(8, field));

    /// <summary>Reads a 32-byte digest.</summary>
    public Hash256 Hash(string field) => Hash256.FromBytes(Take(Hash256.Size, field));

    /// <summary>Reads a u32-length-prefixed byte string of at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> Bytes(string field, int maxLength)
    {
        var length = U32(field + " length");
        if (length > (uint)maxLength)
        {
            throw Fail(FormatErrorKind.LengthOutOfRange, $"{field} is {length} bytes at offset {_offset - 4}; at most {maxLength} allowed.");
        }

        return Take((int)length, field);
    }

    /// <summary>Reads a u32-length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string Utf8(string field, int maxBytes)
    {
        var bytes = Bytes(field, maxBytes);
        try
        {
            return CanonicalWriter.StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(FormatErrorKind.InvalidValue, $"{field} is not valid UTF-8.");
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> Fixed(int count, string field) => Take(count, field);

    /// <summary>Throws unless every byte has been read.</summary>
    public readonly void ExpectEnd(string what)
    {
        if (!AtEnd)
        {
            throw Fail(FormatErrorKind.TrailingBytes, $"{what} has {_data.Length - _offset} unexpected trailing bytes at offset {_offset}.");
        }
    }

    /// <summary>Reads a version byte and fails with UnknownVersion unless it is <paramref name="expected"/>.</summary>
    public void Version(byte expected, string what)
    {
        var version = U8(what + " version");
        if (version != expected)
        {
            throw Fail(FormatErrorKind.UnknownVersion, $"{what} version {version} is unknown; this implementation reads version {expected}.");
        }
    }

    /// <summary>Reads an identifier string and checks its grammar.</summary>
    public string Identifier(string field)
    {
        var value = Utf8(field, Entries.Identifier.MaxLength);
        var problem = Entries.Identifier.Explain(value);
        if (problem is not null)
        {
            throw Fail(FormatErrorKind.InvalidValue, $"{field} \"{value}\" {problem}.");
        }

        return value;
    }

    private static LedgerFormatException Fail(FormatErrorKind kind, string message) => new(new FormatError(kind, message));

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || _data.Length - _offset < count)
        {
            throw Fail(FormatErrorKind.Truncated, $"Truncated: {field} needs {count} bytes at offset {_offset}, {_data.Length - _offset} left.");
        }

        var slice = _data.Slice(_offset, count);
        _offset += count;
        return slice;
    }
}
