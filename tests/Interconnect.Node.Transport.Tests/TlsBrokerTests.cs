using Interconnect.Contracts;
using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// The transport over the real broker's TLS listener (localhost:5671): what it accepts (the broker's
/// CA named by Node:Transport:CaCertificatesPath, the host its certificate names) and what it refuses,
/// for our own broker (MassTransit) and for a partner link (the forwarder).
/// </summary>
public sealed class TlsBrokerTests(ITestOutputHelper output) : NlAndBeBrokers
{
    [Fact]
    public async Task A_message_crosses_when_both_brokers_and_the_link_speak_amqps_trusting_the_brokers_CA()
    {
        var received = new TaskCompletionSource<RequestLogRange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nl = await StartNodeAsync("NL", TlsTestBroker.UriFor(Nl.Name), "BE", TlsTestBroker.UriFor(Be.Name), TlsTestBroker.CaPath);
        var be = await StartNodeAsync("BE", TlsTestBroker.UriFor(Be.Name), "NL", TlsTestBroker.UriFor(Nl.Name), TlsTestBroker.CaPath,
            (endpoint, _) => endpoint.Consumer(() => new Recorder(received)));
        await Eventually.HoldsAsync(() => nl.Services.GetRequiredService<IPartnerChannel>().IsConnected("BE"), "NL's link to BE connects over TLS");

        await nl.Services.GetRequiredService<IPartnerChannel>().SendAsync("BE", new RequestLogRange("NL", "BE", 11));

        Assert.Equal(new RequestLogRange("NL", "BE", 11), await received.Task.WaitAsync(Eventually.Deadline));
        Assert.Equal(HealthStatus.Healthy, (await BrokerTlsAsync(be)).Status);

        // NL's bus and link, BE's bus and NL's link into BE: every connection the broker sees is TLS.
        await Eventually.HoldsAsync(() => TlsTestBroker.AllConnectionsUseTlsAsync(Nl.Name, atLeast: 2), "NL's virtual host has only TLS connections");
        await Eventually.HoldsAsync(() => TlsTestBroker.AllConnectionsUseTlsAsync(Be.Name, atLeast: 2), "BE's virtual host has only TLS connections");
    }

    [Fact]
    public async Task Without_a_CA_bundle_the_system_store_does_not_trust_the_broker_and_readiness_says_why()
    {
        var nl = await StartNodeAsync("NL", TlsTestBroker.UriFor(Nl.Name), "BE", TlsTestBroker.UriFor(Be.Name), caPath: null);

        var refused = await RefusedAsync(nl);

        Assert.Contains($"{TlsTestBroker.Address.Host}:{TlsTestBroker.Address.Port}", refused.Description, StringComparison.Ordinal);
        Assert.Contains("not trusted by the system trust store", refused.Description, StringComparison.Ordinal);
        Assert.NotEqual(BusHealthStatus.Healthy, nl.Services.GetRequiredService<IBusControl>().CheckHealth().Status);
        Assert.False(nl.Services.GetRequiredService<IPartnerChannel>().IsConnected("BE"));
    }

    [Fact]
    public async Task A_CA_bundle_that_did_not_sign_the_brokers_certificate_is_refused()
    {
        using var stranger = new TestCertificateAuthority("Not the broker's CA");
        var nl = await StartNodeAsync("NL", TlsTestBroker.UriFor(Nl.Name), "BE", TlsTestBroker.UriFor(Be.Name), stranger.CertificatePath);

        var refused = await RefusedAsync(nl);

        Assert.Contains($"not trusted by the authorities in {stranger.CertificatePath}", refused.Description, StringComparison.Ordinal);
        Assert.Contains("CN=Interconnect test CA", refused.Description, StringComparison.Ordinal);
        Assert.NotEqual(BusHealthStatus.Healthy, nl.Services.GetRequiredService<IBusControl>().CheckHealth().Status);
    }

    [Fact]
    public async Task A_host_the_brokers_certificate_does_not_name_is_refused_even_with_the_right_CA()
    {
        await using var relay = new LoopbackAliasRelay("127.0.0.1", TlsTestBroker.Address.Port);
        var nl = await StartNodeAsync("NL", TlsTestBroker.UriFor(Nl.Name, LoopbackAliasRelay.Host, relay.Port), "BE", TlsTestBroker.UriFor(Be.Name), TlsTestBroker.CaPath);

        var refused = await RefusedAsync(nl);

        Assert.Contains($"is not valid for the host \"{LoopbackAliasRelay.Host}\"", refused.Description, StringComparison.Ordinal);
        Assert.Contains("localhost", refused.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_link_to_a_host_the_certificate_does_not_name_never_connects_while_our_broker_is_fine()
    {
        await using var relay = new LoopbackAliasRelay("127.0.0.1", TlsTestBroker.Address.Port);
        var partnerLink = TlsTestBroker.UriFor(Be.Name, LoopbackAliasRelay.Host, relay.Port);
        var nl = await StartNodeAsync("NL", TlsTestBroker.UriFor(Nl.Name), "BE", partnerLink, TlsTestBroker.CaPath);
        var trust = nl.Services.GetRequiredService<BrokerTrust>();

        await Eventually.HoldsAsync(() => trust.LatestFault(RabbitMqBrokerAddress.Parse(partnerLink)) is not null, "the partner's certificate is checked and refused");

        Assert.IsType<BrokerCertificateFault.NameMismatch>(trust.LatestFault(RabbitMqBrokerAddress.Parse(partnerLink)));
        Assert.False(nl.Services.GetRequiredService<IPartnerChannel>().IsConnected("BE"));
        await Eventually.HoldsAsync(() => nl.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy, "NL's own bus runs over TLS");
        Assert.Equal(HealthStatus.Healthy, (await BrokerTlsAsync(nl)).Status);

        // What NL sends waits in its own broker, which took it over TLS.
        await nl.Services.GetRequiredService<IPartnerChannel>().SendAsync("BE", new RequestLogRange("NL", "BE", 3));
    }

    [Fact]
    public async Task A_client_certificate_is_presented_to_a_broker_that_asks_by_the_link_and_by_the_bus()
    {
        using var authority = new TestCertificateAuthority("Interconnect test mTLS CA");
        var server = authority.Issue("localhost", server: true);
        var client = authority.Issue("nl-node", server: false);
        await using var probe = new ClientCertificateProbe(server.Certificate);
        var options = new NodeOptions
        {
            AdministrationId = "NL",
            Transport = new TransportOptions
            {
                Kind = TransportKinds.RabbitMq,
                BrokerUri = $"amqps://guest:guest@localhost:{probe.Port}/",
                CaCertificatesPath = authority.CertificatePath,
                ClientCertificatePath = client.CertificatePath,
                ClientKeyPath = client.KeyPath,
            },
        };
        var expected = client.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);

        // The link forwarder's connection factory.
        using (var trust = new BrokerTrust(options, TimeProvider.System, NullLogger<BrokerTrust>.Instance))
        {
            var factory = RabbitMqBrokerAddress.Parse(options.Transport.BrokerUri).CreateConnectionFactory("mtls test", trust);
            await Assert.ThrowsAnyAsync<Exception>(() => factory.CreateConnectionAsync());
            Assert.Equal([expected], probe.Presented);
            Assert.Null(trust.LatestFault(RabbitMqBrokerAddress.Parse(options.Transport.BrokerUri)));
        }

        // MassTransit's connection (a node without partners has no link connections).
        await StartHostAsync(options, (_, _) => { });
        await Eventually.HoldsAsync(() => probe.Presented.Count >= 2, "the bus connects to the probe");
        Assert.All(probe.Presented, thumbprint => Assert.Equal(expected, thumbprint));
    }

    private static async Task<HealthReportEntry> BrokerTlsAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == "broker-tls");
        return report.Entries["broker-tls"];
    }

    private static async Task<HealthReportEntry> RefusedAsync(IHost host)
    {
        await Eventually.HoldsAsync(async () => (await BrokerTlsAsync(host)).Status == HealthStatus.Unhealthy, "readiness reports the refused certificate");
        var entry = await BrokerTlsAsync(host);
        Assert.NotNull(entry.Description);
        return entry;
    }

    private Task<IHost> StartNodeAsync(string id, string brokerUri, string partner, string partnerLink, string? caPath, Action<IReceiveEndpointConfigurator, IRegistrationContext>? configureInbound = null)
    {
        var options = new NodeOptions
        {
            AdministrationId = id,
            Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = brokerUri, CaCertificatesPath = caPath },
        };
        options.Partners.Add(new PartnerOptions { Id = partner, Link = partnerLink });
        return StartHostAsync(options, configureInbound ?? ((_, _) => { }));
    }

    private async Task<IHost> StartHostAsync(NodeOptions options, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureInbound)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        RabbitMqTransport.AddRabbitMqTransport(builder.Services, options, configureInbound, LinkForwarderTests.FastSettings);
        var host = builder.Build();
        Hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private sealed class Recorder(TaskCompletionSource<RequestLogRange> received) : IConsumer<RequestLogRange>
    {
        public Task Consume(ConsumeContext<RequestLogRange> context)
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }
}
