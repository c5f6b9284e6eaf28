using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Interconnect.Node.Configuration;
using MassTransit;
using RabbitMQ.Client;

namespace Interconnect.Node.Transport;

/// <summary>
/// Whom the node trusts on its amqps connections, to its own broker and to the partners' brokers:
/// the authorities in <see cref="TransportOptions.CaCertificatesPath"/> when set (and then only
/// those), the system trust store otherwise; in both cases the certificate must also name the URI's
/// host. Validation is never switched off. Also holds the client certificate for mutual TLS, if any.
/// </summary>
public sealed partial class BrokerTrust : IDisposable
{
    /// <summary>The protocols offered: TLS 1.2 and 1.3 (older ones are broken or deprecated).</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private const string SystemStore = "the system trust store";
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2Collection? _roots;
    private readonly X509Certificate2Collection _intermediates = [];
    private readonly string _trustedBy;
    private readonly X509Certificate2? _clientCertificate;
    private readonly TimeProvider _time;
    private readonly ILogger<BrokerTrust> _logger;
    private readonly ConcurrentDictionary<string, BrokerCertificateFault?> _latest = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the CA bundle and client certificate named in <paramref name="options"/>; throws <see cref="NodeConfigurationException"/> if they are unusable.</summary>
    public BrokerTrust(NodeOptions options, TimeProvider time, ILogger<BrokerTrust> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _logger = logger;
        var transport = options.Transport;
        try
        {
            if (!string.IsNullOrWhiteSpace(transport.CaCertificatesPath))
            {
                _roots = [];
                foreach (var certificate in ReadAuthorities(transport.CaCertificatesPath))
                {
                    // Self-signed ones anchor chains; any others in the bundle are intermediates that
                    // help a broker which sends only its own certificate.
                    (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? _roots : _intermediates).Add(certificate);
                }

                _trustedBy = $"the authorities in {transport.CaCertificatesPath}";
            }
            else
            {
                _trustedBy = SystemStore;
            }

            if (!string.IsNullOrWhiteSpace(transport.ClientCertificatePath))
            {
                _clientCertificate = ReadClientCertificate(transport.ClientCertificatePath, transport.ClientKeyPath);
            }
        }
        catch (FormatException e)
        {
            throw new NodeConfigurationException(e.Message, e);
        }

        foreach (var (setting, uri) in LinkUris(options))
        {
            if (TryParse(uri) is { UseTls: false, IsLoopback: false } plain)
            {
                LogPlaintext(_logger, setting, plain);
            }
        }
    }

    /// <summary>Whether a client certificate is configured (mutual TLS).</summary>
    public bool HasClientCertificate => _clientCertificate is not null;

    /// <summary>
    /// Reads a PEM bundle of certificate authorities; throws <see cref="FormatException"/> saying what is
    /// wrong with it (missing, unreadable, not PEM, no certificate).
    /// </summary>
    public static X509Certificate2Collection ReadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new FormatException($"Node:Transport:CaCertificatesPath \"{path}\" cannot be read as a PEM bundle of CA certificates: {e.Message}", e);
        }

        return authorities.Count > 0
            ? authorities
            : throw new FormatException($"Node:Transport:CaCertificatesPath \"{path}\" holds no certificate (expected one or more -----BEGIN CERTIFICATE----- blocks).");
    }

    /// <summary>Reads the client certificate and its key (PEM); throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static X509Certificate2 ReadClientCertificate(string certificatePath, string? keyPath)
    {
        if (string.IsNullOrWhiteSpace(keyPath))
        {
            throw new FormatException("Node:Transport:ClientCertificatePath is set without Node:Transport:ClientKeyPath; both PEM files are needed for a client certificate.");
        }

        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            return certificate.HasPrivateKey
                ? certificate
                : throw new FormatException($"Node:Transport:ClientKeyPath \"{keyPath}\" holds no private key for {certificate.Subject}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"Node:Transport:ClientCertificatePath \"{certificatePath}\" with ClientKeyPath \"{keyPath}\" is not a PEM certificate and its matching private key: {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks the certificate a broker presented for <paramref name="broker"/>: null when it is
    /// acceptable, else the fault. <paramref name="errors"/> and <paramref name="chain"/> are what the
    /// TLS stack found against the system trust store.
    /// </summary>
    public BrokerCertificateFault? Verify(RabbitMqBrokerAddress broker, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var at = $"{broker.Host}:{broker.Port}";
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return new BrokerCertificateFault.NoCertificate(at);
        }

        using var loaded = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var leaf = loaded ?? (X509Certificate2)certificate;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return new BrokerCertificateFault.NameMismatch(at, broker.Host, leaf.Subject, NamesOf(leaf));
        }

        if (_roots is null)
        {
            return errors == SslPolicyErrors.None
                ? null
                : new BrokerCertificateFault.Untrusted(at, leaf.Subject, leaf.Issuer, StatusOf(chain), _trustedBy);
        }

        // The bundle replaces the system store: the platform's verdict on the chain is not used, the
        // chain is built again ending only at one of the bundle's authorities.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.ExtraStore.AddRange(_intermediates);
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        // Private broker CAs rarely publish revocation lists; the system-store path does not check them either.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        custom.ChainPolicy.VerificationTime = _time.GetLocalNow().DateTime;
        return custom.Build(leaf)
            ? null
            : new BrokerCertificateFault.Untrusted(at, leaf.Subject, leaf.Issuer, StatusOf(custom), _trustedBy);
    }

    /// <summary>The last verdict on <paramref name="broker"/>'s certificate: null when accepted or not yet seen.</summary>
    public BrokerCertificateFault? LatestFault(RabbitMqBrokerAddress broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        return _latest.GetValueOrDefault(broker.ToString());
    }

    /// <summary>RabbitMQ.Client's TLS settings for <paramref name="broker"/>: its host checked, this trust, the client certificate if any.</summary>
    public SslOption SslOptionFor(RabbitMqBrokerAddress broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var ssl = new SslOption
        {
            Enabled = true,
            ServerName = broker.Host,
            Version = Protocols,
            CertificateValidationCallback = CallbackFor(broker),
        };
        if (_clientCertificate is not null)
        {
            ssl.Certs = [_clientCertificate];
        }

        return ssl;
    }

    /// <summary>The same settings for MassTransit's connection to <paramref name="broker"/>.</summary>
    public void Configure(IRabbitMqSslConfigurator ssl, RabbitMqBrokerAddress broker)
    {
        ArgumentNullException.ThrowIfNull(ssl);
        ArgumentNullException.ThrowIfNull(broker);
        ssl.ServerName = broker.Host;
        ssl.Protocol = Protocols;
        ssl.CertificateValidationCallback = CallbackFor(broker);
        if (_clientCertificate is not null)
        {
            ssl.Certificate = _clientCertificate;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _clientCertificate?.Dispose();
        foreach (var certificate in (_roots ?? []).Concat(_intermediates))
        {
            certificate.Dispose();
        }
    }

    /// <summary>The URIs the node connects to with the setting that names each.</summary>
    internal static IEnumerable<(string Setting, string? Uri)> LinkUris(NodeOptions options)
    {
        yield return ("Node:Transport:BrokerUri", options.Transport.BrokerUri);
        for (var i = 0; i < options.Partners.Count; i++)
        {
            yield return ($"Node:Partners:{i}:Link ({options.Partners[i].Id})", options.Partners[i].Link);
        }
    }

    private static RabbitMqBrokerAddress? TryParse(string? uri)
    {
        try
        {
            return RabbitMqBrokerAddress.Parse(uri);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static List<string> NamesOf(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension alternatives)
            {
                names.AddRange(alternatives.EnumerateDnsNames());
                names.AddRange(alternatives.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }

        return names;
    }

    private static string StatusOf(X509Chain? chain)
    {
        var statuses = chain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Select(s => $"{s.Status} ({s.StatusInformation.Trim()})")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return statuses is { Count: > 0 } ? string.Join("; ", statuses) : "its chain could not be built";
    }

    private RemoteCertificateValidationCallback CallbackFor(RabbitMqBrokerAddress broker) => (_, certificate, chain, errors) =>
    {
        var fault = Verify(broker, certificate, chain, errors);
        var previous = _latest.GetValueOrDefault(broker.ToString());
        _latest[broker.ToString()] = fault;

        // Once per change, not on every reconnection attempt.
        if (fault is not null && fault.Describe() != previous?.Describe())
        {
            LogRefused(_logger, broker, fault.Describe());
        }

        return fault is null;
    };

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "TLS: the broker {Broker} is refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, RabbitMqBrokerAddress broker, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Setting} {Broker} is not encrypted (Node:Transport:AllowPlaintextLinks is true): its messages and password cross the network in clear text")]
    private static partial void LogPlaintext(ILogger logger, string setting, RabbitMqBrokerAddress broker);
}
