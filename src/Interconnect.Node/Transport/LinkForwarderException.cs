namespace Interconnect.Node.Transport;

/// <summary>A partner link stopped forwarding: a broker refused, returned or did not confirm a message, or closed a channel.</summary>
public sealed class LinkForwarderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LinkForwarderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public LinkForwarderException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public LinkForwarderException()
        : base("The partner link stopped forwarding.")
    {
    }
}
