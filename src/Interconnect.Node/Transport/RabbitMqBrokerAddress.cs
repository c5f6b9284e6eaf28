using System.Globalization;
using System.Net;
using RabbitMQ.Client;

namespace Interconnect.Node.Transport;

/// <summary>
/// A broker named by an AMQP URI (<c>amqp[s]://user:password@host[:port]/vhost</c>, the RabbitMQ URI
/// spec): the same reading for MassTransit's host and the link forwarder's connections, so both
/// always reach the same virtual host. <see cref="ToString"/> never shows the password.
/// </summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port (5672 for amqp, 5671 for amqps unless given).</param>
/// <param name="VirtualHost">The virtual host, percent-decoded; "/" when the URI has no path.</param>
/// <param name="UserName">The user, percent-decoded ("guest" when the URI names none, as RabbitMQ's clients do).</param>
/// <param name="Password">The password, percent-decoded.</param>
/// <param name="UseTls">Whether the scheme is amqps.</param>
public sealed record RabbitMqBrokerAddress(string Host, int Port, string VirtualHost, string UserName, string Password, bool UseTls)
{
    /// <summary>Reads <paramref name="uri"/>; throws <see cref="FormatException"/> saying what is wrong (never echoing the password).</summary>
    public static RabbitMqBrokerAddress Parse(string? uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps") || parsed.Host.Length == 0)
        {
            throw new FormatException("An AMQP URI amqp://user:password@host:port/vhost (or amqps://) is required.");
        }

        var tls = parsed.Scheme == "amqps";
        var port = parsed.IsDefaultPort || parsed.Port < 0 ? (tls ? 5671 : 5672) : parsed.Port;

        // RabbitMQ's URI spec: no path or "/" is the default virtual host "/"; one segment is the
        // percent-encoded name ("%2F" for "/"); more segments are not an AMQP URI.
        var path = parsed.AbsolutePath;
        string virtualHost;
        if (path is "" or "/")
        {
            virtualHost = "/";
        }
        else if (path.IndexOf('/', 1) >= 0)
        {
            throw new FormatException($"The AMQP URI for {parsed.Host} has more than one path segment; the path is the virtual host, with \"/\" written %2F.");
        }
        else
        {
            virtualHost = Uri.UnescapeDataString(path[1..]);
        }

        var user = "guest";
        var password = "guest";
        if (parsed.UserInfo.Length > 0)
        {
            var colon = parsed.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? parsed.UserInfo : parsed.UserInfo[..colon]);
            password = colon < 0 ? string.Empty : Uri.UnescapeDataString(parsed.UserInfo[(colon + 1)..]);
        }

        return new RabbitMqBrokerAddress(parsed.IdnHost, port, virtualHost, user, password, tls);
    }

    /// <summary>Whether the host is this machine (localhost, 127.0.0.0/8, ::1): a connection that never leaves it.</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// A RabbitMQ.Client connection factory for this broker, without automatic recovery (callers
    /// reconnect themselves). For amqps the certificate is checked by <paramref name="trust"/>, or
    /// against the system trust store and the host name when it is null.
    /// </summary>
    public ConnectionFactory CreateConnectionFactory(string clientName, BrokerTrust? trust = null) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = UserName,
        Password = Password,
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedHeartbeat = TimeSpan.FromSeconds(30),
        RequestedConnectionTimeout = TimeSpan.FromSeconds(15),
        Ssl = (UseTls, trust) switch
        {
            (false, _) => new SslOption(),
            (true, null) => new SslOption { Enabled = true, ServerName = Host, Version = BrokerTrust.Protocols },
            (true, { } checking) => checking.SslOptionFor(this),
        },
    };

    /// <summary>The address for logs and errors: scheme, host, port and virtual host, never credentials.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(UseTls ? "amqps" : "amqp")}://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
}
