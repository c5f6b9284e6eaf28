using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Interconnect.Node.Transport;

/// <summary>
/// The broker objects behind one of our queues, declared exactly as MassTransit 8.4 declares them so
/// that whoever comes first (the link forwarder or MassTransit) the other's declaration is equivalent
/// and never fails with PRECONDITION_FAILED:
/// <list type="bullet">
/// <item>a durable, non-auto-delete fanout exchange named like the queue, without arguments
/// (MassTransit's <c>RabbitMqReceiveEndpointBuilder</c> for a receive endpoint; its
/// <c>RabbitMqSendSettings</c> for a send to <c>queue:name</c>);</item>
/// <item>the durable, non-exclusive, non-auto-delete classic queue, without arguments;</item>
/// <item>a binding from the exchange to the queue with routing key "" and no arguments.</item>
/// </list>
/// The queues are classic, MassTransit's default: the arguments are a contract with every partner's
/// broker, and quorum queues on RabbitMQ 4 drop a message after 20 returns unless a delivery limit
/// is agreed too (docs/adr/0006-partner-links.md).
/// </summary>
public static class RabbitMqQueueTopology
{
    /// <summary>The exchange type MassTransit gives a queue's exchange.</summary>
    public const string ExchangeType = RabbitMQ.Client.ExchangeType.Fanout;

    /// <summary>Declares the exchange, the queue and their binding for <paramref name="queue"/> (idempotent).</summary>
    public static async Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(queue, ExchangeType, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(queue, queue, routingKey: string.Empty, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="exception"/> is the broker refusing the user the right to declare (ACCESS_REFUSED).</summary>
    public static bool IsAccessRefused(Exception exception) =>
        exception is OperationInterruptedException { ShutdownReason.ReplyCode: Constants.AccessRefused };
}
