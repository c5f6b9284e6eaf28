using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interconnect.Node.Transport;

/// <summary>MassTransit over this administration's own RabbitMQ, with a forwarding link per partner (docs/adr/0006-partner-links.md).</summary>
public static class RabbitMqTransport
{
    /// <summary>Registers the bus, the partner channel and the link forwarders with the default <see cref="RabbitMqLinkSettings"/>.</summary>
    public static void AddRabbitMqTransport(IServiceCollection services, NodeOptions options, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureInbound) =>
        AddRabbitMqTransport(services, options, configureInbound, new RabbitMqLinkSettings());

    /// <summary>
    /// Registers the bus on <see cref="TransportOptions.BrokerUri"/> with the inbound receive endpoint
    /// <see cref="QueueNames.Inbound"/> (configured by <paramref name="configureInbound"/>), the
    /// <see cref="IPartnerChannel"/> sending to our outbound queues, and the <see cref="LinkForwarder"/>
    /// carrying those to each partner's <see cref="PartnerOptions.Link"/>.
    /// </summary>
    public static void AddRabbitMqTransport(
        IServiceCollection services,
        NodeOptions options,
        Action<IReceiveEndpointConfigurator, IRegistrationContext> configureInbound,
        RabbitMqLinkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configureInbound);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        RabbitMqBrokerAddress broker;
        try
        {
            broker = RabbitMqBrokerAddress.Parse(options.Transport.BrokerUri);
        }
        catch (FormatException e)
        {
            throw new NodeConfigurationException("Node:Transport:BrokerUri: " + e.Message, e);
        }

        // The same refusals as on a node's start, for hosts that register the transport alone.
        if (NodeOptionsValidation.CheckTransportSecurity(options) is { Count: > 0 } problems)
        {
            throw new NodeConfigurationException(problems);
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.TryAddSingleton<BrokerTrust>();
        services.AddHealthChecks().AddCheck<BrokerTlsHealthCheck>("broker-tls", tags: ["ready"]);
        services.AddMassTransit(x =>
        {
            x.AddConsumer<PartnerMessagesConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Host, checked((ushort)broker.Port), broker.VirtualHost, $"interconnect {options.AdministrationId}", h =>
                {
                    h.Username(broker.UserName);
                    h.Password(broker.Password);
                    h.PublisherConfirmation = true;
                    if (broker.UseTls)
                    {
                        var trust = context.GetRequiredService<BrokerTrust>();
                        h.UseSsl(s => trust.Configure(s, broker));
                    }
                });

                // Durable classic queue with MassTransit's default exchange and binding: the shape the
                // partners' link forwarders also declare (RabbitMqQueueTopology). No message-type
                // exchanges: partners reach us only through the inbound exchange. A consumer that
                // throws (after configureInbound's retries) moves the message to <queue>_error with the
                // exception in its MT-Fault-* headers, MassTransit's default.
                cfg.ReceiveEndpoint(QueueNames.Inbound(options.AdministrationId), e =>
                {
                    e.Durable = true;
                    e.AutoDelete = false;
                    e.ConfigureConsumeTopology = false;
                    configureInbound(e, context);
                });
            });
        });

        services.AddSingleton<LinkForwarder>();
        services.AddHostedService(sp => sp.GetRequiredService<LinkForwarder>());
        services.AddSingleton<IPartnerChannel, RabbitMqPartnerChannel>();
    }
}
