using System.Security.Cryptography;
using System.Text;
using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using RabbitMQ.Client;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// The link forwarder against a real RabbitMQ: two administrations, NL and BE, each in its own
/// virtual host; NL's forwarder carries NL's outbound queue for BE to BE's inbound queue.
/// </summary>
public sealed class LinkForwarderTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private static readonly string Outbound = QueueNames.Outbound("NL", "BE");
    private static readonly string Inbound = QueueNames.Inbound("BE");
    private readonly List<LinkForwarder> _forwarders = [];
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly TestOutputLoggerProvider _log = new(output);
    private TestVirtualHost _nl = null!;
    private TestVirtualHost _be = null!;

    /// <summary>Short waits so reconnects happen within a test's deadline.</summary>
    public static RabbitMqLinkSettings FastSettings { get; } = new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        ConfirmTimeout = TimeSpan.FromSeconds(10),
        SendTimeout = TimeSpan.FromSeconds(3),
    };

    public async Task InitializeAsync()
    {
        _nl = await TestBroker.CreateVirtualHostAsync("NL");
        _be = await TestBroker.CreateVirtualHostAsync("BE");
    }

    public async Task DisposeAsync()
    {
        foreach (var forwarder in _forwarders)
        {
            await forwarder.StopAsync(CancellationToken.None);
            forwarder.Dispose();
        }

        foreach (var item in _cleanup)
        {
            await item.DisposeAsync();
        }

        await _nl.DisposeAsync();
        await _be.DisposeAsync();
    }

    public void Dispose() => _log.Dispose();

    [Fact]
    public async Task Messages_in_the_outbound_queue_arrive_in_the_partners_inbound_queue_unchanged_and_in_order()
    {
        var forwarder = await StartForwarderAsync(_be.Uri);
        await using var nl = await _nl.ConnectAsync();
        await using var be = await _be.ConnectAsync();
        await Eventually.HoldsAsync(() => forwarder.IsConnected("BE"), "NL's link to BE connects");
        var sent = Messages(25);

        await TestQueues.PublishAsync(nl, Outbound, sent.Select(m => (m.Properties, m.Body)));
        await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(be, Inbound) == 25, "25 messages reach BE's inbound queue");
        await StopAsync(forwarder);

        Assert.Equal(0u, await TestQueues.ReadyCountAsync(nl, Outbound));
        var received = await TestQueues.DrainAsync(be, Inbound);
        Assert.Equal(sent.Count, received.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            var (expected, actual) = (sent[i], received[i]);
            Assert.Equal(expected.Body, actual.Body);
            Assert.Equal(expected.Properties.MessageId, actual.Properties.MessageId);
            Assert.Equal(expected.Properties.CorrelationId, actual.Properties.CorrelationId);
            Assert.Equal(expected.Properties.ContentType, actual.Properties.ContentType);
            Assert.Equal(expected.Properties.Type, actual.Properties.Type);
            Assert.Equal(expected.Properties.AppId, actual.Properties.AppId);
            Assert.Equal(expected.Properties.Timestamp, actual.Properties.Timestamp);
            Assert.Equal(expected.Properties.Persistent, actual.Properties.Persistent);
            Assert.Equal(Normalize(expected.Properties.Headers), Normalize(actual.Properties.Headers));

            // The publisher's own confirm bookkeeping header travels as it was, not the link's.
            Assert.Equal((long)(i + 1), actual.Properties.Headers!["x-dotnet-pub-seq-no"]);
        }
    }

    [Fact]
    public async Task The_outbound_queue_exists_from_start_and_holds_messages_until_the_partners_virtual_host_appears()
    {
        await _be.DeleteAsync();
        var forwarder = await StartForwarderAsync(_be.Uri);
        await using var nl = await _nl.ConnectAsync();
        await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(nl, Outbound) is not null, "the forwarder declares NL's outbound queue");
        var sent = Messages(10);

        await TestQueues.PublishAsync(nl, Outbound, sent.Select(m => (m.Properties, m.Body)));

        Assert.False(forwarder.IsConnected("BE"));
        Assert.Equal(10u, await TestQueues.ReadyCountAsync(nl, Outbound));
        await _be.CreateAsync();
        await using var be = await _be.ConnectAsync();
        await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(be, Inbound) == 10, "the 10 waiting messages reach BE once it exists");
        Assert.True(forwarder.IsConnected("BE"));
        await StopAsync(forwarder);
        Assert.Equal(0u, await TestQueues.ReadyCountAsync(nl, Outbound));
        var received = await TestQueues.DrainAsync(be, Inbound);
        Assert.Equal(sent.Select(m => m.Properties.MessageId), received.Select(m => m.Properties.MessageId));
    }

    [Fact]
    public async Task Messages_sent_while_the_partners_broker_is_cut_off_wait_and_flow_when_it_returns()
    {
        var relay = new TcpRelay(TestBroker.Default.Host, TestBroker.Default.Port);
        _cleanup.Add(relay);
        relay.Start();
        var forwarder = await StartForwarderAsync(TestBroker.UriFor(_be.Name, port: relay.Port));
        await using var nl = await _nl.ConnectAsync();
        await using var be = await _be.ConnectAsync();
        await Eventually.HoldsAsync(() => forwarder.IsConnected("BE"), "NL's link to BE connects through the relay");
        await using var arrivals = await QueueCollector.StartAsync(be, Inbound);
        var before = Messages(5);
        await TestQueues.PublishAsync(nl, Outbound, before.Select(m => (m.Properties, m.Body)));
        await Eventually.HoldsAsync(() => arrivals.HasAll(Ids(before)), "the first 5 messages reach BE");

        await relay.StopAsync();
        await Eventually.HoldsAsync(() => !forwarder.IsConnected("BE"), "the link notices BE is cut off");
        var during = Messages(20);
        await TestQueues.PublishAsync(nl, Outbound, during.Select(m => (m.Properties, m.Body)));

        // All 20 wait at home (with, at most, the message that was in flight when the path was cut).
        Assert.InRange(await TestQueues.ReadyCountAsync(nl, Outbound) ?? 0, 20u, 21u);
        relay.Start();
        await Eventually.HoldsAsync(() => arrivals.HasAll(Ids(during)), "the 20 waiting messages reach BE once it is back");
        await StopAsync(forwarder);

        Assert.Equal(0u, await TestQueues.ReadyCountAsync(nl, Outbound));
        var received = arrivals.MessageIds;
        Assert.Equal(Ids(before.Concat(during)), received.Distinct());
        Assert.InRange(received.Count, 25, 26);
    }

    [Fact]
    public async Task A_partner_virtual_host_deleted_and_recreated_gets_the_messages_sent_meanwhile()
    {
        var forwarder = await StartForwarderAsync(_be.Uri);
        await using var nl = await _nl.ConnectAsync();
        await Eventually.HoldsAsync(() => forwarder.IsConnected("BE"), "NL's link to BE connects");
        var before = Messages(3);
        await using (var be = await _be.ConnectAsync())
        {
            await using var first = await QueueCollector.StartAsync(be, Inbound);
            await TestQueues.PublishAsync(nl, Outbound, before.Select(m => (m.Properties, m.Body)));
            await Eventually.HoldsAsync(() => first.HasAll(Ids(before)), "the first 3 messages reach BE");
        }

        await _be.DeleteAsync();
        await Eventually.HoldsAsync(() => !forwarder.IsConnected("BE"), "the link notices BE's virtual host is gone");
        var during = Messages(7);
        await TestQueues.PublishAsync(nl, Outbound, during.Select(m => (m.Properties, m.Body)));
        Assert.InRange(await TestQueues.ReadyCountAsync(nl, Outbound) ?? 0, 7u, 8u);
        await _be.CreateAsync();

        // The link declares BE's inbound queue again in the new virtual host.
        await using var recreated = await _be.ConnectAsync();
        await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(recreated, Inbound) is not null, "the link declares BE's inbound queue again");
        await using var arrivals = await QueueCollector.StartAsync(recreated, Inbound);
        await Eventually.HoldsAsync(() => arrivals.HasAll(Ids(during)), "the 7 waiting messages reach the new BE");
        await StopAsync(forwarder);

        Assert.Equal(0u, await TestQueues.ReadyCountAsync(nl, Outbound));
        var received = arrivals.MessageIds;
        Assert.Equal(Ids(during), received.Where(Ids(during).Contains));
        Assert.Empty(received.Except(Ids(before.Concat(during))));
        Assert.InRange(received.Count, 7, 8);
    }

    [Fact]
    public async Task A_link_user_that_may_only_write_the_partners_inbound_exchange_is_enough()
    {
        await using (var be = await _be.ConnectAsync())
        {
            // BE's node declared its inbound endpoint when it started.
            await TestQueues.DeclareAsync(be, Inbound);
        }

        var (user, password) = await TestBroker.CreateUserAsync("nl-link");
        try
        {
            await TestBroker.SetPermissionsAsync(_be.Name, user, configure: "^$", write: "^interconnect\\.be$", read: "^$");
            var forwarder = await StartForwarderAsync(TestBroker.UriFor(_be.Name, user, password));
            await using var nl = await _nl.ConnectAsync();
            await Eventually.HoldsAsync(() => forwarder.IsConnected("BE"), "NL's link connects as the restricted user");

            await TestQueues.PublishAsync(nl, Outbound, Messages(3).Select(m => (m.Properties, m.Body)));

            await using var be = await _be.ConnectAsync();
            await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(be, Inbound) == 3, "3 messages reach BE through the restricted user");
            await StopAsync(forwarder);
        }
        finally
        {
            await TestBroker.DeleteUserAsync(user);
        }
    }

    [Fact]
    public async Task A_message_no_partner_queue_takes_stays_in_the_outbound_queue_until_one_is_bound()
    {
        await using var be = await _be.ConnectAsync();
        await TestQueues.DeclareAsync(be, Inbound);
        await using (var channel = await be.CreateChannelAsync())
        {
            // BE's operator unbinds the inbound queue; the restricted link user cannot bind it back.
            await channel.QueueUnbindAsync(Inbound, Inbound, string.Empty);
        }

        var (user, password) = await TestBroker.CreateUserAsync("nl-link");
        try
        {
            await TestBroker.SetPermissionsAsync(_be.Name, user, configure: "^$", write: "^interconnect\\.be$", read: "^$");
            var link = TestBroker.UriFor(_be.Name, user, password);
            var forwarder = await StartForwarderAsync(link);
            await using var nl = await _nl.ConnectAsync();
            await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(nl, Outbound) is not null, "the forwarder declares NL's outbound queue");
            var sent = Messages(1);

            await TestQueues.PublishAsync(nl, Outbound, sent.Select(m => (m.Properties, m.Body)));

            await Eventually.HoldsAsync(() => _log.Events.Count(e => e.Id.Id == 6) >= 2, "BE's broker returns the message twice and the link puts it back each time");
            await StopAsync(forwarder);
            Assert.Equal(1u, await TestQueues.ReadyCountAsync(nl, Outbound));
            Assert.Equal(0u, await TestQueues.ReadyCountAsync(be, Inbound));

            await using (var channel = await be.CreateChannelAsync())
            {
                await channel.QueueBindAsync(Inbound, Inbound, string.Empty);
            }

            await StartForwarderAsync(link);
            await Eventually.HoldsAsync(async () => await TestQueues.ReadyCountAsync(be, Inbound) == 1, "the message reaches BE once its queue is bound again");
            Assert.Equal(sent[0].Properties.MessageId, (await TestQueues.DrainAsync(be, Inbound)).Single().Properties.MessageId);
        }
        finally
        {
            await TestBroker.DeleteUserAsync(user);
        }
    }

    private static List<string?> Ids(IEnumerable<(BasicProperties Properties, byte[] Body)> messages) => [.. messages.Select(m => m.Properties.MessageId)];

    private static List<string?> Ids(IEnumerable<string?> ids) => [.. ids];

    private static List<(BasicProperties Properties, byte[] Body)> Messages(int count) =>
        Enumerable.Range(1, count).Select(i =>
        {
            var properties = new BasicProperties
            {
                MessageId = Guid.NewGuid().ToString(),
                CorrelationId = Guid.NewGuid().ToString(),
                ContentType = "application/vnd.masstransit+json",
                Type = "interconnect:replicate-entries:v1",
                AppId = "interconnect-nl",
                Timestamp = new AmqpTimestamp(1_700_000_000 + i),
                Persistent = true,
                Headers = new Dictionary<string, object?>
                {
                    ["MT-Activity-Id"] = $"00-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01",
                    ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                    ["x-index"] = i,
                    ["x-log-through"] = 10_000_000_000L + i,
                    ["x-final"] = i == count,
                    ["x-nested"] = new Dictionary<string, object?> { ["origin"] = "NL" },
                },
            };
            return (properties, RandomNumberGenerator.GetBytes(64 + (i * 37)));
        }).ToList();

    /// <summary>Header values as comparable text: strings come back from the wire as UTF-8 bytes.</summary>
    private static SortedDictionary<string, string> Normalize(IDictionary<string, object?>? headers) =>
        new((headers ?? new Dictionary<string, object?>()).ToDictionary(h => h.Key, h => Text(h.Value)), StringComparer.Ordinal);

    private static string Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        IDictionary<string, object?> table => string.Join(";", Normalize(table).Select(p => $"{p.Key}={p.Value}")),
        null => "<null>",
        _ => $"{value.GetType().Name}:{value}",
    };

    private async Task<LinkForwarder> StartForwarderAsync(string partnerLink)
    {
        var options = new NodeOptions
        {
            AdministrationId = "NL",
            Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = _nl.Uri },
        };
        options.Partners.Add(new PartnerOptions { Id = "BE", Link = partnerLink });
        var forwarder = new LinkForwarder(options, FastSettings, TimeProvider.System, new LoggerFactory([_log]).CreateLogger<LinkForwarder>());
        _forwarders.Add(forwarder);
        await forwarder.StartAsync(CancellationToken.None);
        return forwarder;
    }

    /// <summary>Stops the forwarder, so anything it holds unacknowledged is back in the outbound queue before counting.</summary>
    private async Task StopAsync(LinkForwarder forwarder)
    {
        await forwarder.StopAsync(CancellationToken.None);
        _forwarders.Remove(forwarder);
        forwarder.Dispose();
    }
}
