namespace Interconnect.Node.Mesh;

/// <summary>
/// Sends messages to a partner administration over this node's transport. Over RabbitMQ the
/// message goes to this administration's own broker first (a durable outbound queue per partner),
/// and the link forwards it; it is in durable hands when the call returns.
/// </summary>
public interface IPartnerChannel
{
    /// <summary>Sends <paramref name="message"/> to <paramref name="partner"/>; throws <see cref="PartnerUnreachableException"/> when it cannot be handed over now.</summary>
    Task SendAsync<T>(string partner, T message, CancellationToken cancellationToken = default)
        where T : class;

    /// <summary>Whether messages for <paramref name="partner"/> can be handed over now.</summary>
    bool IsConnected(string partner);
}

/// <summary>The message could not be handed to the transport for that partner now; it stays in the ledger and is sent again.</summary>
public sealed class PartnerUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PartnerUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public PartnerUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public PartnerUnreachableException()
        : base("The partner cannot be reached now.")
    {
    }
}

/// <summary>Queue names, fixed: partners configure their links against them.</summary>
public static class QueueNames
{
    /// <summary>The queue an administration consumes everything its partners send it from.</summary>
    public static string Inbound(string administrationId) => $"interconnect.{administrationId.ToLowerInvariant()}";

    /// <summary>The durable queue on an administration's own broker holding what waits to be forwarded to one partner.</summary>
    public static string Outbound(string administrationId, string partner) =>
        $"interconnect.{administrationId.ToLowerInvariant()}.to.{partner.ToLowerInvariant()}";
}
