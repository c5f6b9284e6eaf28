namespace Interconnect.Grains.Runtime;

/// <summary>
/// A command broke a business rule ("an AEO operator that is revoked cannot be suspended"). Nothing
/// was written. <see cref="Code"/> is stable for clients; the message says what and why.
/// </summary>
[GenerateSerializer]
public sealed class DomainRuleException : Exception
{
    /// <summary>Creates the error.</summary>
    public DomainRuleException(string code, string message)
        : base(message) => Code = code;

    /// <summary>Creates the error with a generic code.</summary>
    public DomainRuleException(string message)
        : this("rule-violated", message)
    {
    }

    /// <summary>Creates the error with a generic code and an inner cause.</summary>
    public DomainRuleException(string message, Exception inner)
        : base(message, inner) => Code = "rule-violated";

    /// <summary>Creates the error with a generic message.</summary>
    public DomainRuleException()
        : this("The command breaks a business rule.")
    {
    }

    /// <summary>A stable machine-readable code, e.g. "aeo-operator-revoked".</summary>
    [Id(0)]
    public string Code { get; private set; }
}

/// <summary>A command's input is malformed (identifier out of format, payload over its limit). Nothing was written.</summary>
[GenerateSerializer]
public sealed class InvalidCommandException : Exception
{
    /// <summary>Creates the error.</summary>
    public InvalidCommandException(string field, string message)
        : base(message) => Field = field;

    /// <summary>Creates the error for no particular field.</summary>
    public InvalidCommandException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the error with an inner cause.</summary>
    public InvalidCommandException(string message, Exception inner)
        : base(message, inner) => Field = string.Empty;

    /// <summary>Creates the error with a generic message.</summary>
    public InvalidCommandException()
        : this("The command is malformed.")
    {
    }

    /// <summary>The input field at fault, or empty.</summary>
    [Id(0)]
    public string Field { get; private set; }
}

/// <summary>
/// Other writers kept changing the entity (another activation of it during a membership change, or a stale silo) and the bounded retries ran
/// out. Nothing of this call was written; the caller may try again.
/// </summary>
[GenerateSerializer]
public sealed class GrainConcurrencyException : Exception
{
    /// <summary>Creates the error.</summary>
    public GrainConcurrencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with an inner cause.</summary>
    public GrainConcurrencyException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the error with a generic message.</summary>
    public GrainConcurrencyException()
        : this("The entity kept changing concurrently; the call was not applied.")
    {
    }
}
