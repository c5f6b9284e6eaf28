using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interconnect.Node.Tests;

/// <summary>
/// Two administrations whose own brokers and partner links are all amqps (the real broker's TLS
/// listener, a virtual host each), trusting the broker's CA through Node:Transport:CaCertificatesPath.
/// </summary>
public sealed class TlsMeshTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, TestVirtualHost> _vhosts = new(StringComparer.Ordinal);
    private DemoMesh _mesh = null!;

    public async Task InitializeAsync()
    {
        foreach (var administration in new[] { "NL", "JP" })
        {
            _vhosts[administration] = await TestBroker.CreateVirtualHostAsync(administration);
        }

        var ca = TlsTestBroker.CaPath;
        _mesh = await DemoMesh.StartAsync(["NL", "JP"], FreePorts.Consecutive(2), Microsoft.Extensions.Logging.LogLevel.Warning, options =>
        {
            options.Transport = new TransportOptions
            {
                Kind = TransportKinds.RabbitMq,
                BrokerUri = TlsTestBroker.UriFor(_vhosts[options.AdministrationId].Name),
                CaCertificatesPath = ca,
            };
            foreach (var partner in options.Partners)
            {
                partner.Link = TlsTestBroker.UriFor(_vhosts[partner.Id].Name);
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _mesh.DisposeAsync();
        foreach (var vhost in _vhosts.Values)
        {
            await vhost.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_AEO_certification_replicates_over_amqps_and_the_endorsement_comes_back()
    {
        await new DemoScenario(_mesh, TextWriter.Null).EstablishAgreementAsync();
        var nl = _mesh.Service<AdministrationNode>("NL");

        await nl.Grains.GetGrain<IAeoOperatorGrain>("NLAEOF0000777").Certify(new CertifyAeoOperator("Over TLS B.V.", "Kade 7, Rotterdam", "AEOF", new DateOnly(2026, 6, 1), null));

        await DemoMesh.WaitForAsync(
            async () => await _mesh.Service<IMeshQueries>("JP").GetSharedAsync("NL", AeoOperatorGrain.EntityKind, "NLAEOF0000777") is not null,
            Deadline,
            "the certification at JP");
        await DemoMesh.WaitForAsync(
            async () => await _mesh.Service<IMeshQueries>("NL").GetEndorsementsAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0000777")) is { Count: > 0 } endorsements
                && endorsements.All(e => e.Recognized),
            Deadline,
            "JP's endorsement at NL");

        // The management API lists connections a moment after they open.
        foreach (var vhost in _vhosts.Values)
        {
            await DemoMesh.WaitForAsync(() => TlsTestBroker.AllConnectionsUseTlsAsync(vhost.Name, atLeast: 2), Deadline, $"every connection on {vhost.Name} to be listed as TLS");
        }
    }
}

/// <summary>A whole node whose broker's certificate it cannot trust: not ready, and readiness names the broker and the reason.</summary>
public sealed class TlsReadinessTests : IAsyncLifetime
{
    private TestVirtualHost _vhost = null!;
    private WebApplication? _app;

    public async Task InitializeAsync() => _vhost = await TestBroker.CreateVirtualHostAsync("NL");

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _vhost.DisposeAsync();
    }

    [Fact]
    public async Task A_node_without_the_brokers_CA_is_not_ready_and_says_which_certificate_and_why()
    {
        using var key = EcdsaP256Signer.Generate();
        var options = new NodeOptions
        {
            AdministrationId = "NL",
            SigningKeyPem = key.ExportPrivateKeyPem(),
            Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = TlsTestBroker.UriFor(_vhost.Name) },
        };
        var settings = new NodeHostSettings { LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning };
        var port = FreePorts.Consecutive(1);
        settings.Urls.Add($"http://127.0.0.1:{port}");
        _app = NodeApplication.Build(options, settings);
        await _app.StartAsync();
        var health = _app.Services.GetRequiredService<HealthCheckService>();

        await DemoMesh.WaitForAsync(
            async () => (await health.CheckHealthAsync(c => c.Name == "broker-tls")).Status == HealthStatus.Unhealthy,
            TimeSpan.FromSeconds(30),
            "the broker's certificate to be refused");

        var entry = (await health.CheckHealthAsync(c => c.Name == "broker-tls")).Entries["broker-tls"];
        Assert.Contains($"{TlsTestBroker.Address.Host}:{TlsTestBroker.Address.Port}", entry.Description, StringComparison.Ordinal);
        Assert.Contains("not trusted by the system trust store", entry.Description, StringComparison.Ordinal);
        Assert.Contains("Node:Transport:CaCertificatesPath", entry.Description, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }
}
