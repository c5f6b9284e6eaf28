using Interconnect.Node.Transport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Interconnect.Node.Transport.Tests;

/// <summary>A message as a queue holds it: properties and body.</summary>
public sealed record QueuedMessage(IReadOnlyBasicProperties Properties, byte[] Body);

/// <summary>Publishing into and reading out of queues with the plain client, as a partner or an operator would.</summary>
public static class TestQueues
{
    /// <summary>Messages ready in <paramref name="queue"/>, or null when it does not exist.</summary>
    public static async Task<uint?> ReadyCountAsync(IConnection connection, string queue)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return null;
        }
    }

    /// <summary>Publishes to <paramref name="exchange"/> and waits for the broker's confirm.</summary>
    public static async Task PublishAsync(IConnection connection, string exchange, IEnumerable<(BasicProperties Properties, byte[] Body)> messages)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(messages);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        foreach (var (properties, body) in messages)
        {
            await channel.BasicPublishAsync(exchange, string.Empty, mandatory: true, properties, body);
        }
    }

    /// <summary>Takes every ready message out of <paramref name="queue"/>, in order.</summary>
    public static async Task<IReadOnlyList<QueuedMessage>> DrainAsync(IConnection connection, string queue)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<QueuedMessage>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            messages.Add(new QueuedMessage(result.BasicProperties, result.Body.ToArray()));
        }

        return messages;
    }

    /// <summary>Declares <paramref name="queue"/> with its exchange and binding, as MassTransit and the forwarder do.</summary>
    public static async Task DeclareAsync(IConnection connection, string queue)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var channel = await connection.CreateChannelAsync();
        await RabbitMqQueueTopology.DeclareAsync(channel, queue, CancellationToken.None);
    }
}

/// <summary>Consumes a queue as the partner's node would, keeping every message id in arrival order.</summary>
public sealed class QueueCollector : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string?> _ids = new();
    private readonly IChannel _channel;

    private QueueCollector(IChannel channel) => _channel = channel;

    /// <summary>Ids of the messages received so far, in arrival order.</summary>
    public IReadOnlyList<string?> MessageIds => [.. _ids];

    /// <summary>Starts consuming <paramref name="queue"/> (acknowledging on receipt).</summary>
    public static async Task<QueueCollector> StartAsync(IConnection connection, string queue)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var collector = new QueueCollector(await connection.CreateChannelAsync());
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(collector._channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            collector._ids.Enqueue(delivery.BasicProperties.MessageId);
            return Task.CompletedTask;
        };
        await collector._channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return collector;
    }

    /// <summary>Whether every one of <paramref name="ids"/> has arrived.</summary>
    public bool HasAll(IEnumerable<string?> ids) => !ids.Except(_ids).Any();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_channel.IsOpen)
        {
            await _channel.CloseAsync();
        }

        await _channel.DisposeAsync();
    }
}
