namespace Interconnect.Ledger.Encoding;

/// <summary>What is wrong with a byte string that should hold one of the ledger's formats.</summary>
public enum FormatErrorKind
{
    /// <summary>The input ends before the format does.</summary>
    Truncated,

    /// <summary>The domain-separation prefix is not the expected one.</summary>
    WrongDomain,

    /// <summary>The version byte is one this implementation does not know.</summary>
    UnknownVersion,

    /// <summary>A length field is out of its allowed range.</summary>
    LengthOutOfRange,

    /// <summary>A field holds a value the format forbids (bad identifier, unsorted names, bad UTF-8...).</summary>
    InvalidValue,

    /// <summary>Bytes remain after the end of the format.</summary>
    TrailingBytes,
}

/// <summary>A typed decoding failure: the kind, and a sentence with the offset and field.</summary>
public sealed record FormatError(FormatErrorKind Kind, string Message);

/// <summary>Thrown inside decoders; public decode functions catch it and return a <see cref="FormatError"/>.</summary>
public sealed class LedgerFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public LedgerFormatException(FormatError error)
        : base(error?.Message) => Error = error!;

    /// <summary>Creates an InvalidValue exception.</summary>
    public LedgerFormatException(string message)
        : this(new FormatError(FormatErrorKind.InvalidValue, message))
    {
    }

    /// <summary>Creates an InvalidValue exception with an inner cause.</summary>
    public LedgerFormatException(string message, Exception inner)
        : base(message, inner) => Error = new FormatError(FormatErrorKind.InvalidValue, message);

    /// <summary>Creates an InvalidValue exception with no message.</summary>
    public LedgerFormatException()
        : this("Invalid ledger bytes.")
    {
    }

    /// <summary>The typed error.</summary>
    public FormatError Error { get; }
}

/// <summary>The result of decoding: a value or a typed error, never an unhandled exception.</summary>
public readonly record struct Decoded<T>(T? Value, FormatError? Error)
    where T : class
{
    /// <summary>True when decoding succeeded.</summary>
    public bool Ok => Error is null;
}

/// <summary>Runs decoder bodies, turning format exceptions into typed errors.</summary>
public static class Decoder
{
    /// <summary>Runs <paramref name="decode"/>; a format, argument or overflow exception becomes a <see cref="FormatError"/>.</summary>
    public static Decoded<T> Run<T>(Func<T> decode)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(decode);
        try
        {
            return new Decoded<T>(decode(), null);
        }
        catch (LedgerFormatException e)
        {
            return new Decoded<T>(null, e.Error);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return new Decoded<T>(null, new FormatError(FormatErrorKind.InvalidValue, e.Message));
        }
    }

    /// <summary>A failed decode with the given kind and message.</summary>
    public static Decoded<T> Fail<T>(FormatErrorKind kind, string message)
        where T : class => new(null, new FormatError(kind, message));
}
