using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// The test broker's TLS listener made by scripts/infra/rabbitmq.sh: INTERCONNECT_TEST_RABBITMQ_TLS
/// (amqps://guest:guest@localhost:5671/) with a server certificate for localhost and 127.0.0.1 from
/// the CA in INTERCONNECT_TEST_RABBITMQ_CA. Tests fail, never skip, when these are missing.
/// </summary>
public static class TlsTestBroker
{
    /// <summary>The TLS listener's address (default virtual host).</summary>
    public static RabbitMqBrokerAddress Address { get; } = RabbitMqBrokerAddress.Parse(
        Environment.GetEnvironmentVariable("INTERCONNECT_TEST_RABBITMQ_TLS") is { Length: > 0 } value ? value : "amqps://guest:guest@localhost:5671/");

    /// <summary>The PEM file of the CA that signed the broker's certificate.</summary>
    public static string CaPath
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_RABBITMQ_CA");
            Assert.False(string.IsNullOrEmpty(path), "INTERCONNECT_TEST_RABBITMQ_CA is not set: run the tests with scripts/test.sh, which makes the broker's CA.");
            Assert.True(File.Exists(path), $"INTERCONNECT_TEST_RABBITMQ_CA names {path}, which does not exist.");
            return path;
        }
    }

    /// <summary>An amqps URI for <paramref name="virtualHost"/> on the TLS listener, optionally through another host name or port.</summary>
    public static string UriFor(string virtualHost, string? host = null, int? port = null) =>
        $"amqps://{Uri.EscapeDataString(Address.UserName)}:{Uri.EscapeDataString(Address.Password)}@{host ?? Address.Host}:{port ?? Address.Port}/{Uri.EscapeDataString(virtualHost)}";

    /// <summary>Whether every client connection the broker lists on <paramref name="virtualHost"/> uses TLS, and there are at least <paramref name="atLeast"/>.</summary>
    public static async Task<bool> AllConnectionsUseTlsAsync(string virtualHost, int atLeast)
    {
        var port = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_RABBITMQ_MANAGEMENT_PORT") is { Length: > 0 } value ? value : "15672";
        using var client = new HttpClient { BaseAddress = new Uri($"http://{TestBroker.Default.Host}:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestBroker.Default.UserName}:{TestBroker.Default.Password}")));
        var connections = await client.GetFromJsonAsync<JsonElement>($"api/vhosts/{Uri.EscapeDataString(virtualHost)}/connections");
        var list = connections.EnumerateArray().ToList();
        return list.Count >= atLeast && list.All(c => c.TryGetProperty("ssl", out var ssl) && ssl.GetBoolean());
    }
}

/// <summary>A certificate authority made by a test (ECDSA P-256), issuing certificates written as PEM files in a temporary directory.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Creates the authority and its directory.</summary>
    public TestCertificateAuthority(string name)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("interconnect-tls-").FullName;
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem());
    }

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>The authority's own certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The authority's certificate as a PEM file (a CA bundle of one).</summary>
    public string CertificatePath { get; }

    /// <summary>A self-signed server certificate for localhost and 127.0.0.1 (no authority), written as PEM.</summary>
    public static IssuedCertificate SelfSignedServer(string directory)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // held by the certificate returned
        var request = LeafRequest("CN=localhost", key, server: true);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return Write(directory, "https", certificate, key);
    }

    /// <summary>Issues a server (localhost, 127.0.0.1) or client certificate signed by this authority.</summary>
    public IssuedCertificate Issue(string name, bool server)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // held by the certificate returned
        var request = LeafRequest($"CN={name}", key, server);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return Write(Directory, name, issued.CopyWithPrivateKey(key), key);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static CertificateRequest LeafRequest(string subject, ECDsa key, bool server)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        return request;
    }

    private static IssuedCertificate Write(string directory, string name, X509Certificate2 certificate, ECDsa key)
    {
        var certificatePath = Path.Combine(directory, name + ".pem");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new IssuedCertificate(certificate, certificatePath, keyPath);
    }
}

/// <summary>A certificate made by a test and its PEM files.</summary>
public sealed record IssuedCertificate(X509Certificate2 Certificate, string CertificatePath, string KeyPath);

/// <summary>
/// Relays TCP from another loopback address (127.0.0.2, which the broker's certificate does not
/// name) to a target, so a test can reach the real broker under a host name its certificate lacks.
/// </summary>
public sealed class LoopbackAliasRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Parse("127.0.0.2"), 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _open = [];
    private readonly Task _accepting;

    /// <summary>Starts relaying to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public LoopbackAliasRelay(string targetHost, int targetPort)
    {
        _listener.Start();
        _accepting = AcceptAsync(targetHost, targetPort);
    }

    /// <summary>The relay's host.</summary>
    public static string Host => "127.0.0.2";

    /// <summary>The relay's port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _open)
        {
            client.Dispose();
        }

        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync(string targetHost, int targetPort)
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                _open.Add(inbound);
                _open.Add(outbound);
                await outbound.ConnectAsync(targetHost, targetPort, _stop.Token);
                _ = PipeAsync(inbound.GetStream(), outbound.GetStream());
                _ = PipeAsync(outbound.GetStream(), inbound.GetStream());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task PipeAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // One side closed.
        }
        finally
        {
            to.Close();
        }
    }
}

/// <summary>
/// A TLS server on a loopback port that asks for a client certificate and records the ones it is
/// shown, then hangs up (it speaks no AMQP): the test broker does not ask for client certificates.
/// </summary>
public sealed class ClientCertificateProbe : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2 _serverCertificate;
    private readonly Task _accepting;

    /// <summary>Starts serving <paramref name="serverCertificate"/> (with its private key).</summary>
    public ClientCertificateProbe(X509Certificate2 serverCertificate)
    {
        _serverCertificate = serverCertificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The probe's port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Thumbprints of the client certificates presented so far (an empty string for a handshake without one).</summary>
    public ConcurrentQueue<string> Presented { get; } = new();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = HandshakeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task HandshakeAsync(TcpClient client)
    {
        using (client)
        await using (var tls = new SslStream(client.GetStream()))
        {
            try
            {
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = _serverCertificate,
                        ClientCertificateRequired = true,
                        // Records what the client presented; the handshake's outcome does not matter to the probe.
                        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        {
                            Presented.Enqueue(certificate is null ? string.Empty : certificate.GetCertHashString(HashAlgorithmName.SHA256));
                            return certificate is not null;
                        },
                    },
                    _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
            {
                // The client gave up or the probe stopped: what was presented is recorded already.
            }
        }
    }
}
