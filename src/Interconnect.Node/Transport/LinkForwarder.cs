using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using RabbitMQ.Client;

namespace Interconnect.Node.Transport;

/// <summary>
/// Store-and-forward links to the partners' brokers, one loop per configured partner: takes what
/// waits in our outbound queue <see cref="QueueNames.Outbound"/> on our own broker and republishes it,
/// body and properties unchanged, to the partner's inbound exchange <see cref="QueueNames.Inbound"/>
/// on the partner's broker, acknowledging our copy only once the partner's broker confirmed it.
/// While a partner is unreachable its messages stay in our durable queue; both sides are reconnected
/// with jittered exponential backoff, forever (docs/adr/0006-partner-links.md).
/// </summary>
public sealed class LinkForwarder : BackgroundService
{
    private readonly string _administrationId;
    private readonly RabbitMqBrokerAddress _ownBroker;
    private readonly Dictionary<string, Link> _links;
    private readonly RabbitMqLinkSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<LinkForwarder> _logger;
    private readonly BrokerTrust? _trust;

    /// <summary>
    /// Creates the forwarder for every partner in <paramref name="options"/>; throws <see cref="NodeConfigurationException"/>
    /// for an unusable broker URI. amqps certificates are checked by <paramref name="trust"/> (the system
    /// trust store and the host name when null).
    /// </summary>
    public LinkForwarder(NodeOptions options, RabbitMqLinkSettings settings, TimeProvider time, ILogger<LinkForwarder> logger, BrokerTrust? trust = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _administrationId = options.AdministrationId;
        _ownBroker = ParseBroker(options.Transport.BrokerUri, "Node:Transport:BrokerUri");
        _links = new Dictionary<string, Link>(StringComparer.Ordinal);
        foreach (var partner in options.Partners)
        {
            var route = new LinkForwarderRoute(
                partner.Id,
                QueueNames.Outbound(options.AdministrationId, partner.Id),
                QueueNames.Inbound(partner.Id),
                ParseBroker(partner.Link, $"Node:Partners ({partner.Id}) Link"));
            _links.Add(partner.Id, new Link(route));
        }

        _settings = settings;
        _time = time;
        _logger = logger;
        _trust = trust;
    }

    /// <summary>The partners this forwarder has a link to.</summary>
    public IReadOnlyCollection<string> Partners => _links.Keys;

    /// <summary>Whether a link to <paramref name="partner"/> is configured.</summary>
    public bool HasLink(string partner) => _links.ContainsKey(partner);

    /// <summary>Whether the link to <paramref name="partner"/> currently holds connections to both brokers and is forwarding.</summary>
    public bool IsConnected(string partner) => _links.TryGetValue(partner, out var link) && link.Connected;

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_links.Values.Select(link => RunAsync(link, stoppingToken)));

    private static RabbitMqBrokerAddress ParseBroker(string? uri, string setting)
    {
        try
        {
            return RabbitMqBrokerAddress.Parse(uri);
        }
        catch (FormatException e)
        {
            throw new NodeConfigurationException($"{setting}: {e.Message}", e);
        }
    }

    /// <summary>Our side: keeps a connection to our own broker, declares the outbound queue, and runs the partner side on it.</summary>
    private async Task RunAsync(Link link, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            IConnection? own = null;
            try
            {
                own = await ConnectAsync(_ownBroker, link, stoppingToken).ConfigureAwait(false);

                // The outbound queue exists from start, before the first send and whether or not the partner answers.
                await DeclareOutboundAsync(own, link.Route, stoppingToken).ConfigureAwait(false);
                attempt = 0;
                await RunPartnerSideAsync(link, own, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                var delay = Backoff(attempt++);
                LinkForwarderLog.OwnBrokerUnavailable(_logger, e, link.Route.Partner, _ownBroker, delay);
                if (!await DelayAsync(delay, stoppingToken).ConfigureAwait(false))
                {
                    break;
                }
            }
            finally
            {
                link.Connected = false;
                await CloseAsync(own, link).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The partner's side, while our connection lasts; throws when our broker fails so the caller reconnects it.</summary>
    private async Task RunPartnerSideAsync(Link link, IConnection own, CancellationToken stoppingToken)
    {
        var route = link.Route;
        var attempt = 0;
        for (var round = 0; !stoppingToken.IsCancellationRequested; round++)
        {
            if (round > 0)
            {
                // Again each round, in case an operator deleted the queue (which also ends the session).
                await DeclareOutboundAsync(own, route, stoppingToken).ConfigureAwait(false);
            }

            IConnection? partner = null;
            LinkForwarderSession? session = null;
            Exception? failure = null;
            var forwarded = 0L;
            try
            {
                partner = await ConnectAsync(route.PartnerBroker, link, stoppingToken).ConfigureAwait(false);
                await DeclareInboundAsync(partner, route, stoppingToken).ConfigureAwait(false);
                session = new LinkForwarderSession(route, own, partner, _settings, _time, _logger);
                await session.RunAsync(
                    () =>
                    {
                        link.Connected = true;
                        LinkForwarderLog.Forwarding(_logger, route.Partner, route.OutboundQueue, _ownBroker, route.InboundExchange, route.PartnerBroker);
                    },
                    stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (own.IsOpen)
            {
                failure = e;
            }
            finally
            {
                link.Connected = false;
                if (session is not null)
                {
                    forwarded = session.Forwarded;
                    await session.DisposeAsync().ConfigureAwait(false);
                }

                await CloseAsync(partner, link).ConfigureAwait(false);
            }

            // Progress since the last failure restarts the backoff; a link failing at once every time
            // (a partner refusing us) backs off to the maximum.
            attempt = forwarded > 0 ? 0 : attempt;
            var delay = Backoff(attempt++);
            LinkForwarderLog.PartnerUnavailable(_logger, failure, route.Partner, route.PartnerBroker, route.OutboundQueue, delay);
            if (!await DelayAsync(delay, stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private static async Task DeclareOutboundAsync(IConnection own, LinkForwarderRoute route, CancellationToken cancellationToken)
    {
        await using var channel = await own.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await RabbitMqQueueTopology.DeclareAsync(channel, route.OutboundQueue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Declares on the partner's broker what its MassTransit receive endpoint declares, so the link
    /// works before the partner's node first started. A link user limited to writing the exchange
    /// (docs/adr/0006-partner-links.md) may not declare: then the exchange must already exist.
    /// </summary>
    private async Task DeclareInboundAsync(IConnection partner, LinkForwarderRoute route, CancellationToken cancellationToken)
    {
        await using (var channel = await partner.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await RabbitMqQueueTopology.DeclareAsync(channel, route.InboundExchange, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (RabbitMqQueueTopology.IsAccessRefused(e))
            {
                LinkForwarderLog.DeclarationRefused(_logger, route.Partner, route.PartnerBroker, route.InboundExchange);
            }
        }

        // The refusal closed that channel. A passive declare needs no permission and fails with
        // NOT_FOUND (ending this attempt) if the partner has not created its exchange yet.
        await using var check = await partner.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await check.ExchangeDeclarePassiveAsync(route.InboundExchange, cancellationToken).ConfigureAwait(false);
    }

    private Task<IConnection> ConnectAsync(RabbitMqBrokerAddress broker, Link link, CancellationToken cancellationToken) =>
        broker.CreateConnectionFactory($"interconnect {_administrationId} link to {link.Route.Partner}", _trust).CreateConnectionAsync(cancellationToken);

    private async Task CloseAsync(IConnection? connection, Link link)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.CloseAsync(Constants.ReplySuccess, "link closed", TimeSpan.FromSeconds(5), abort: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException or ObjectDisposedException)
        {
            LinkForwarderLog.CloseFailed(_logger, e, link.Route.Partner);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Exponential from <see cref="RabbitMqLinkSettings.MinBackoff"/> to <see cref="RabbitMqLinkSettings.MaxBackoff"/>, each wait drawn from its upper half so links that failed together do not retry together.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = _settings.MinBackoff * Math.Pow(2, Math.Min(attempt, 20));
        if (ceiling > _settings.MaxBackoff)
        {
            ceiling = _settings.MaxBackoff;
        }

        return ceiling * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed class Link(LinkForwarderRoute route)
    {
        private volatile bool _connected;

        public LinkForwarderRoute Route { get; } = route;

        public bool Connected
        {
            get => _connected;
            set => _connected = value;
        }
    }
}
