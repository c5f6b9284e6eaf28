using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Transport.Tests;

namespace Interconnect.Node.Tests;

/// <summary>
/// The node serving HTTPS as deployed: the real <c>run</c> command, configured the way the chart does it
/// (ASPNETCORE_URLS and Kestrel__Certificates__Default__Path / __KeyPath from mounted PEM files), with a
/// certificate the test makes.
/// </summary>
public sealed class TlsHttpsTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("interconnect-https-").FullName;
    private readonly StringBuilder _output = new();
    private IssuedCertificate _certificate = null!;
    private Process? _node;

    public Task InitializeAsync()
    {
        _certificate = TestCertificateAuthority.SelfSignedServer(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_node is { HasExited: false })
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }

        _certificate.Certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose() => _node?.Dispose();

    [Fact]
    public async Task The_run_command_serves_HTTPS_with_the_mounted_certificate_and_default_trust_refuses_it()
    {
        var port = FreePorts.Consecutive(1);
        using var key = EcdsaP256Signer.Generate();
        StartRunCommand(HttpsNode(port, key));
        using var pinned = Client(port, null);

        await WaitUntilLiveAsync(pinned);
        var node = await pinned.GetStringAsync(new Uri("api/node", UriKind.Relative));
        Assert.Contains("\"NL\"", node, StringComparison.Ordinal);

        using var defaultTrust = new HttpClient { BaseAddress = pinned.BaseAddress };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => defaultTrust.GetAsync(new Uri("health/live", UriKind.Relative)));
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task A_partners_system_signs_in_with_its_pinned_client_certificate_and_no_other_certificate_does()
    {
        var port = FreePorts.Consecutive(1);
        using var key = EcdsaP256Signer.Generate();
        using var partnerKey = EcdsaP256Signer.Generate();
        using var authority = new TestCertificateAuthority("Partner systems");
        var pinned = authority.Issue("jp-customs-system", server: false);
        var stranger = authority.Issue("jp-other-system", server: false);
        var expired = ExpiredClientCertificate("jp-retired-system");
        StartRunCommand(new Dictionary<string, string>(HttpsNode(port, key))
        {
            ["Node__Partners__0__Id"] = "JP",
            ["Node__Partners__0__PublicKeys__0"] = partnerKey.PublicKey.ToPem(),
            ["Node__Access__Principals__0__Id"] = "jp-customs-system",
            ["Node__Access__Principals__0__Role"] = Roles.Partner,
            ["Node__Access__Principals__0__Administration"] = "JP",
            // As openssl prints it: upper case, colons.
            ["Node__Access__Principals__0__CertificateSha256"] = string.Join(':', pinned.Certificate.GetCertHashString(HashAlgorithmName.SHA256).Chunk(2).Select(c => new string(c))),
            ["Node__Access__Principals__1__Id"] = "jp-retired-system",
            ["Node__Access__Principals__1__Role"] = Roles.Partner,
            ["Node__Access__Principals__1__Administration"] = "JP",
            ["Node__Access__Principals__1__CertificateSha256"] = expired.GetCertHashString(HashAlgorithmName.SHA256),
        });
        using var withPinned = Client(port, pinned.Certificate);
        using var withStranger = Client(port, stranger.Certificate);
        using var without = Client(port, null);
        using var withExpired = Client(port, expired);
        await WaitUntilLiveAsync(without);

        using var checkpoint = await withPinned.GetAsync(new Uri("api/log/checkpoint", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, checkpoint.StatusCode);
        using var records = await withPinned.GetAsync(new Uri("api/aeo-operators", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, records.StatusCode);
        Assert.Contains("jp-customs-system (partner)", await records.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unpinned = await withStranger.GetAsync(new Uri("api/log/checkpoint", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, unpinned.StatusCode);
        Assert.Contains("is not pinned to any principal", await unpinned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var anonymous = await without.GetAsync(new Uri("api/log/checkpoint", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // Pinned, but past its validity: the pin does not outlive the certificate.
        using var outdated = await withExpired.GetAsync(new Uri("api/log/checkpoint", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, outdated.StatusCode);
        Assert.Contains("not now", await outdated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        pinned.Certificate.Dispose();
        stranger.Certificate.Dispose();
        expired.Dispose();
    }

    [Fact]
    public void The_run_commands_configuration_refuses_an_https_url_without_a_certificate_and_a_missing_key()
    {
        using var key = EcdsaP256Signer.Generate();
        string[] args =
        [
            "--urls=https://127.0.0.1:1",
            "--Node:AdministrationId=NL",
            $"--Node:SigningKeyPem={key.ExportPrivateKeyPem()}",
            "--Kestrel:Certificates:Default:KeyPath=" + _certificate.KeyPath,
        ];

        var refused = Assert.Throws<NodeConfigurationException>(() => NodeApplication.BuildFromConfiguration(args));

        Assert.Contains(refused.Problems, p => p.StartsWith("Kestrel:Certificates:Default:KeyPath is set without", StringComparison.Ordinal));
        Assert.Contains(refused.Problems, p => p.StartsWith("HTTPS is asked for", StringComparison.Ordinal));
    }

    // A client certificate that stopped being valid yesterday (self-signed: pins need no authority).
    private static X509Certificate2 ExpiredClientCertificate(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // held by the certificate returned
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1));
    }

    // NL's node as the chart configures it: HTTPS from the mounted certificate files.
    private Dictionary<string, string> HttpsNode(int port, EcdsaP256Signer key) => new()
    {
        ["ASPNETCORE_URLS"] = $"https://127.0.0.1:{port}",
        ["Kestrel__Certificates__Default__Path"] = _certificate.CertificatePath,
        ["Kestrel__Certificates__Default__KeyPath"] = _certificate.KeyPath,
        ["Node__AdministrationId"] = "NL",
        ["Node__SigningKeyPem"] = key.ExportPrivateKeyPem(),
    };

    // Trusts exactly the node's certificate; presents a client certificate when given one.
    private HttpClient Client(int port, X509Certificate2? clientCertificate)
    {
        var expected = _certificate.Certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString(HashAlgorithmName.SHA256) == expected,
            ClientCertificateOptions = ClientCertificateOption.Manual,
        };
        if (clientCertificate is not null)
        {
            handler.ClientCertificates.Add(clientCertificate);
        }

        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}/") };
    }

    private void StartRunCommand(Dictionary<string, string> environment)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interconnect.Node.dll"));
        start.ArgumentList.Add("run");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _node = new Process { StartInfo = start };
        _node.OutputDataReceived += (_, line) => Record(line.Data);
        _node.ErrorDataReceived += (_, line) => Record(line.Data);
        Assert.True(_node.Start(), "the node process starts");
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();
    }

    private void Record(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilLiveAsync(HttpClient client)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            Assert.False(_node!.HasExited, $"The node exited with {(_node.HasExited ? _node.ExitCode : 0)}:{Environment.NewLine}{Output()}");
            try
            {
                using var live = await client.GetAsync(new Uri("health/live", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
                return;
            }
            catch (HttpRequestException) when (TimeProvider.System.GetElapsedTime(started) < Deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
