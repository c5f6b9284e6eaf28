using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using MassTransit;
using RabbitMQ.Client.Exceptions;

namespace Interconnect.Node.Transport;

/// <summary>
/// Sends to a partner over RabbitMQ: the message goes with MassTransit to <c>queue:</c>
/// <see cref="QueueNames.Outbound"/> on our own broker (durable, persistent, publisher-confirmed),
/// and the <see cref="LinkForwarder"/> carries it across. When the send returns, the message is in
/// durable hands even if the partner is unreachable.
/// </summary>
public sealed class RabbitMqPartnerChannel(IBus bus, LinkForwarder links, NodeOptions options, RabbitMqLinkSettings settings, TimeProvider time) : IPartnerChannel
{
    /// <inheritdoc />
    public async Task SendAsync<T>(string partner, T message, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!links.HasLink(partner))
        {
            throw new ArgumentException($"{partner} is not a configured partner of {options.AdministrationId}; no link forwards to it.", nameof(partner));
        }

        var queue = QueueNames.Outbound(options.AdministrationId, partner);
        using var timeout = new CancellationTokenSource(settings.SendTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + queue)).ConfigureAwait(false);
            await endpoint.Send(message, Durably, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PartnerUnreachableException($"Our broker did not take the message for {partner} within {settings.SendTimeout}.", e);
        }
        catch (Exception e) when (IsBrokerFailure(e))
        {
            throw new PartnerUnreachableException($"Our broker did not take the message for {partner}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public bool IsConnected(string partner) => links.IsConnected(partner);

    /// <summary>
    /// Persistent, and complete only once our broker confirmed it (publisher confirms, set on the host
    /// in AddRabbitMqTransport); mandatory, so a queue unbound by hand makes the send fail instead of
    /// the broker dropping the message.
    /// </summary>
    private static void Durably<T>(SendContext<T> context)
        where T : class
    {
        context.Durable = true;
        context.SetAwaitAck(true);
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }

    private static bool IsBrokerFailure(Exception e) =>
        e is MassTransit.ConnectionException
            or TransportException
            or TransportUnavailableException
            or MessageNotAcknowledgedException
            or MessageReturnedException
            or RabbitMQClientException
            or OperationInterruptedException
            or BrokerUnreachableException
            or IOException
            or TimeoutException;
}
