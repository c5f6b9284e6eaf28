namespace Interconnect.Storage;

/// <summary>Another writer changed the data first (optimistic concurrency); reload and retry.</summary>
public sealed class ConcurrencyConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConcurrencyConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public ConcurrencyConflictException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ConcurrencyConflictException()
        : base("The stored data changed since it was read.")
    {
    }
}

/// <summary>The store failed or refused a request for a reason other than a conflict.</summary>
public sealed class StorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public StorageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public StorageException()
        : base("The store failed.")
    {
    }
}

/// <summary>
/// A log append named an entry hash the log already holds, so nothing was appended. Each entry is
/// logged exactly once; the store refuses the duplicate atomically with the append.
/// </summary>
public sealed class EntryAlreadyLoggedException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public EntryAlreadyLoggedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public EntryAlreadyLoggedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public EntryAlreadyLoggedException()
        : base("An entry hash in the append is already logged.")
    {
    }

    /// <summary>Creates the exception naming the parameter that carried the leaves.</summary>
    public EntryAlreadyLoggedException(string message, string paramName)
        : base(message, paramName)
    {
    }
}
