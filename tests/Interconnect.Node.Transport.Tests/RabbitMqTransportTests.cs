using System.Net;
using System.Net.Sockets;
using System.Text;
using Interconnect.Contracts;
using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// Two nodes' transports, NL and BE, each on its own virtual host and wired by
/// <see cref="RabbitMqTransport.AddRabbitMqTransport(IServiceCollection, NodeOptions, Action{IReceiveEndpointConfigurator, IRegistrationContext}, RabbitMqLinkSettings)"/>:
/// typed messages go from NL's partner channel through NL's broker and the link to BE's bus.
/// </summary>
public sealed class RabbitMqTransportTests(ITestOutputHelper output) : NlAndBeBrokers
{
    [Fact]
    public async Task A_typed_message_sent_by_the_partner_channel_reaches_the_partners_consumer()
    {
        var received = new TaskCompletionSource<RequestLogRange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nl = await StartNodeAsync("NL", Nl, "BE", Be, (_, _) => { });

        // NL's link declares BE's inbound endpoint before BE's node ever started; BE's MassTransit
        // then declares the same objects, which must be equivalent for its endpoint to start.
        await Eventually.HoldsAsync(() => nl.Services.GetRequiredService<IPartnerChannel>().IsConnected("BE"), "NL's link to BE connects");
        var be = await StartNodeAsync("BE", Be, "NL", Nl, (endpoint, _) =>
        {
            endpoint.ConcurrentMessageLimit = 1;
            endpoint.Consumer(() => new Recorder<RequestLogRange>(received));
        });
        await Eventually.HoldsAsync(() => be.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy, "BE's bus starts on the link's declarations");

        await nl.Services.GetRequiredService<IPartnerChannel>().SendAsync("BE", new RequestLogRange("NL", "BE", 42));

        Assert.Equal(new RequestLogRange("NL", "BE", 42), await received.Task.WaitAsync(Eventually.Deadline));
    }

    [Fact]
    public async Task A_message_sent_while_the_partners_node_is_down_is_consumed_when_it_starts()
    {
        var received = new TaskCompletionSource<RequestLogRange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nl = await StartNodeAsync("NL", Nl, "BE", Be, (_, _) => { });
        var channel = nl.Services.GetRequiredService<IPartnerChannel>();

        // Our broker takes it even before the link first connected: the send does not depend on the partner.
        await channel.SendAsync("BE", new RequestLogRange("NL", "BE", 7));
        await StartNodeAsync("BE", Be, "NL", Nl, (endpoint, _) => endpoint.Consumer(() => new Recorder<RequestLogRange>(received)));

        Assert.Equal(new RequestLogRange("NL", "BE", 7), await received.Task.WaitAsync(Eventually.Deadline));
    }

    [Fact]
    public async Task A_consumer_exception_moves_the_message_to_the_error_queue_with_the_reason()
    {
        var nl = await StartNodeAsync("NL", Nl, "BE", Be, (_, _) => { });
        var be = await StartNodeAsync("BE", Be, "NL", Nl, (endpoint, _) =>
        {
            endpoint.UseMessageRetry(r => r.Immediate(1));
            endpoint.Consumer(() => new Refuser());
        });
        await Eventually.HoldsAsync(() => be.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy, "BE's bus starts");

        await nl.Services.GetRequiredService<IPartnerChannel>().SendAsync("BE", new RequestEntityRange("NL", "BE", "shipment", "S-1", 3, 5));

        var errorQueue = QueueNames.Inbound("BE") + "_error";
        await using var connection = await Be.ConnectAsync();
        await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(connection, errorQueue) == 1, "the refused message lands in BE's error queue");
        var faulted = (await TestQueues.DrainAsync(connection, errorQueue)).Single();
        var headers = faulted.Properties.Headers!;
        Assert.Equal("fault", Text(headers["MT-Reason"]));
        Assert.Equal(typeof(InvalidOperationException).FullName, Text(headers["MT-Fault-ExceptionType"]));
        Assert.Contains("S-1 refused for the test", Text(headers["MT-Fault-Message"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_throws_PartnerUnreachableException_when_our_broker_cannot_take_the_message()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var nl = await StartNodeAsync("NL", TestBroker.UriFor(Nl.Name, port: closedPort), "BE", Be.Uri, (_, _) => { });
        var channel = nl.Services.GetRequiredService<IPartnerChannel>();

        await Assert.ThrowsAsync<PartnerUnreachableException>(() => channel.SendAsync("BE", new RequestLogRange("NL", "BE", 1)));
        Assert.False(channel.IsConnected("BE"));
    }

    [Fact]
    public async Task SendAsync_throws_PartnerUnreachableException_when_no_queue_takes_the_message_at_home()
    {
        var nl = await StartNodeAsync("NL", Nl, "BE", Be, (_, _) => { });
        var channel = nl.Services.GetRequiredService<IPartnerChannel>();
        await channel.SendAsync("BE", new RequestLogRange("NL", "BE", 1));
        var outbound = QueueNames.Outbound("NL", "BE");
        await using var connection = await Nl.ConnectAsync();
        await using (var unbind = await connection.CreateChannelAsync())
        {
            // An operator unbinds NL's outbound queue: the broker would drop what the node sends.
            await unbind.QueueUnbindAsync(outbound, outbound, string.Empty);
        }

        var refused = await Assert.ThrowsAsync<PartnerUnreachableException>(() => channel.SendAsync("BE", new RequestLogRange("NL", "BE", 2)));
        Assert.IsType<MessageReturnedException>(refused.InnerException);
    }

    [Fact]
    public async Task SendAsync_to_an_administration_that_is_not_a_partner_is_refused()
    {
        var nl = await StartNodeAsync("NL", Nl, "BE", Be, (_, _) => { });

        await Assert.ThrowsAsync<ArgumentException>(() => nl.Services.GetRequiredService<IPartnerChannel>().SendAsync("FR", new RequestLogRange("NL", "FR", 1)));
    }

    private static string Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : $"{value}";

    private Task<IHost> StartNodeAsync(string id, TestVirtualHost own, string partner, TestVirtualHost partnerHost, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureInbound) =>
        StartNodeAsync(id, own.Uri, partner, partnerHost.Uri, configureInbound);

    private async Task<IHost> StartNodeAsync(string id, string brokerUri, string partner, string partnerLink, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureInbound)
    {
        var options = new NodeOptions
        {
            AdministrationId = id,
            Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = brokerUri },
        };
        options.Partners.Add(new PartnerOptions { Id = partner, Link = partnerLink });
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        RabbitMqTransport.AddRabbitMqTransport(builder.Services, options, configureInbound, LinkForwarderTests.FastSettings);
        var host = builder.Build();
        Hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private sealed class Recorder<T>(TaskCompletionSource<T> received) : IConsumer<T>
        where T : class
    {
        public Task Consume(ConsumeContext<T> context)
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }

    private sealed class Refuser : IConsumer<RequestEntityRange>
    {
        public Task Consume(ConsumeContext<RequestEntityRange> context) =>
            throw new InvalidOperationException($"{context.Message.EntityId} refused for the test");
    }
}
