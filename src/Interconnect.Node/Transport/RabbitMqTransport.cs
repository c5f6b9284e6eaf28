using Interconnect.Node.Configuration;
using MassTransit;

namespace Interconnect.Node.Transport;

/// <summary>MassTransit over this administration's own RabbitMQ, with a forwarding link per partner.</summary>
public static class RabbitMqTransport
{
    /// <summary>Registers the bus, the partner channel and the link forwarders.</summary>
    public static void AddRabbitMqTransport(IServiceCollection services, NodeOptions options, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureInbound)
    {
        ArgumentNullException.ThrowIfNull(options);
        throw new NodeConfigurationException("The RabbitMq transport is not available in this build.");
    }
}
