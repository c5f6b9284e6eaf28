using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Interconnect.Node.Transport;

/// <summary>
/// One connected stretch of a partner link: consumes our outbound queue and republishes each message
/// to the partner's inbound exchange, acknowledging our copy only after the partner's broker
/// confirmed its own. Ends (its <see cref="RunAsync"/> throws) at the first failure; the forwarder
/// then backs off and starts a new session.
/// </summary>
/// <remarks>
/// One message is in flight at a time. That keeps the origin's order across the border (the inbound
/// endpoint applies messages one by one) and makes a basic.return unambiguous: the broker sends it
/// before the confirm of the message it returns. Confirms are tracked here rather than by the
/// client's tracking mode because that mode writes its own sequence-number header into every
/// message, and the link passes headers through unchanged.
/// </remarks>
internal sealed class LinkForwarderSession(
    LinkForwarderRoute route,
    IConnection ownConnection,
    IConnection partnerConnection,
    RabbitMqLinkSettings settings,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private bool _draining;
    private Task _inFlight = Task.CompletedTask;
    private IChannel? _source;
    private IChannel? _target;
    private PendingConfirm? _pending;
    private long _forwarded;

    /// <summary>Messages this session forwarded and acknowledged.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Opens the channels, starts consuming, calls <paramref name="onForwarding"/>, and runs until a failure (thrown) or cancellation.</summary>
    public async Task RunAsync(Action onForwarding, CancellationToken cancellationToken)
    {
        ownConnection.ConnectionShutdownAsync += OnOwnConnectionShutdownAsync;
        partnerConnection.ConnectionShutdownAsync += OnPartnerConnectionShutdownAsync;

        _target = await partnerConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false),
            cancellationToken).ConfigureAwait(false);
        _target.BasicAcksAsync += OnPartnerAckAsync;
        _target.BasicNacksAsync += OnPartnerNackAsync;
        _target.BasicReturnAsync += OnPartnerReturnAsync;
        _target.ChannelShutdownAsync += OnPartnerChannelShutdownAsync;

        _source = await ownConnection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _source.ChannelShutdownAsync += OnOwnChannelShutdownAsync;
        await _source.BasicQosAsync(0, settings.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(_source);
        consumer.ReceivedAsync += OnDeliveryAsync;
        consumer.UnregisteredAsync += OnConsumerCancelledAsync;

        // Exclusive: with several replicas of a node, one forwards and the others stand by (their
        // consume is refused until it goes), so the partner receives our messages in our order.
        await _source.BasicConsumeAsync(route.OutboundQueue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: true,
            arguments: null, consumer, cancellationToken).ConfigureAwait(false);

        onForwarding();
        await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Lets the message in flight finish (confirmed and acknowledged, or failed) so a routine stop
    /// duplicates nothing, then closes both channels: deliveries not yet acknowledged go back to the
    /// outbound queue in order.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task inFlight;
        lock (_gate)
        {
            _draining = true;
            inFlight = _inFlight;
        }

        try
        {
            await inFlight.WaitAsync(settings.ConfirmTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still unconfirmed: abandon it; it stays in our queue and is forwarded again (at-least-once).
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _ended.TrySetCanceled();
        Volatile.Read(ref _pending)?.Fail(new LinkForwarderException($"The link to {route.Partner} closed before the partner's broker confirmed."));
        await CloseAsync(_source).ConfigureAwait(false);
        await CloseAsync(_target).ConfigureAwait(false);
        ownConnection.ConnectionShutdownAsync -= OnOwnConnectionShutdownAsync;
        partnerConnection.ConnectionShutdownAsync -= OnPartnerConnectionShutdownAsync;
        _stop.Dispose();
    }

    private Task OnDeliveryAsync(object sender, BasicDeliverEventArgs delivery)
    {
        // After a failure or on stop the session is ending: leave the rest unacknowledged so closing
        // the channel requeues them behind the failed one, in their original order. Deliveries come
        // one at a time (the channel's dispatch concurrency is 1), so at most one is in flight.
        lock (_gate)
        {
            if (_draining || _ended.Task.IsCompleted)
            {
                return Task.CompletedTask;
            }

            _inFlight = ForwardAsync(delivery);
            return _inFlight;
        }
    }

    private async Task ForwardAsync(BasicDeliverEventArgs delivery)
    {
        var properties = new BasicProperties(delivery.BasicProperties);
        try
        {
            await PublishConfirmedAsync(properties, delivery.Body).ConfigureAwait(false);
            await _source!.BasicAckAsync(delivery.DeliveryTag, multiple: false, _stop.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _forwarded);
            LinkForwarderLog.Forwarded(logger, route.Partner, properties.MessageId, delivery.Redelivered);
        }
        catch (Exception e)
        {
            // Stopping: the message stays unacknowledged and returns to the queue when the channel closes.
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            LinkForwarderLog.NotForwarded(logger, e, route.Partner, properties.MessageId, route.OutboundQueue);
            await RequeueAsync(delivery.DeliveryTag).ConfigureAwait(false);
            _ended.TrySetException(e);
        }
    }

    private async Task PublishConfirmedAsync(BasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var target = _target!;
        var sequence = await target.GetNextPublishSequenceNumberAsync(_stop.Token).ConfigureAwait(false);
        var pending = new PendingConfirm(sequence, route);
        Volatile.Write(ref _pending, pending);
        try
        {
            // mandatory: a message no queue takes is returned (and not confirmed as delivered) instead of dropped.
            await target.BasicPublishAsync(route.InboundExchange, routingKey: string.Empty, mandatory: true, properties, body, _stop.Token)
                .ConfigureAwait(false);
            try
            {
                await pending.Confirmed.WaitAsync(settings.ConfirmTimeout, time, _stop.Token).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new LinkForwarderException($"{route.Partner}'s broker did not confirm within {settings.ConfirmTimeout}.", e);
            }
        }
        finally
        {
            Volatile.Write(ref _pending, null);
        }
    }

    private async Task RequeueAsync(ulong deliveryTag)
    {
        if (_source is not { IsOpen: true } source)
        {
            return;
        }

        try
        {
            await source.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The channel is going anyway; closing it requeues the message just the same.
            LinkForwarderLog.CloseFailed(logger, e, route.Partner);
        }
    }

    private Task OnPartnerAckAsync(object sender, BasicAckEventArgs ack)
    {
        Volatile.Read(ref _pending)?.Acknowledge(ack.DeliveryTag, ack.Multiple);
        return Task.CompletedTask;
    }

    private Task OnPartnerNackAsync(object sender, BasicNackEventArgs nack)
    {
        Volatile.Read(ref _pending)?.Reject(nack.DeliveryTag, nack.Multiple);
        return Task.CompletedTask;
    }

    private Task OnPartnerReturnAsync(object sender, BasicReturnEventArgs returned)
    {
        Volatile.Read(ref _pending)?.MarkReturned(returned.ReplyCode, returned.ReplyText);
        return Task.CompletedTask;
    }

    private Task OnPartnerChannelShutdownAsync(object sender, ShutdownEventArgs reason) =>
        End($"{route.Partner}'s broker closed the link channel", reason);

    private Task OnPartnerConnectionShutdownAsync(object sender, ShutdownEventArgs reason) =>
        End($"the connection to {route.Partner}'s broker closed", reason);

    private Task OnOwnChannelShutdownAsync(object sender, ShutdownEventArgs reason) =>
        End("our broker closed the outbound channel", reason);

    private Task OnOwnConnectionShutdownAsync(object sender, ShutdownEventArgs reason) =>
        End("the connection to our broker closed", reason);

    private Task OnConsumerCancelledAsync(object sender, ConsumerEventArgs args)
    {
        _ended.TrySetException(new LinkForwarderException($"Our broker cancelled the consumer of {route.OutboundQueue} (was the queue deleted?)."));
        return Task.CompletedTask;
    }

    private Task End(string what, ShutdownEventArgs reason)
    {
        var exception = new LinkForwarderException($"{what}: {reason.ReplyCode} {reason.ReplyText}");
        Volatile.Read(ref _pending)?.Fail(exception);
        _ended.TrySetException(exception);
        return Task.CompletedTask;
    }

    private async Task CloseAsync(IChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.CloseAsync(Constants.ReplySuccess, "link session ended", abort: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException or ObjectDisposedException)
        {
            LinkForwarderLog.CloseFailed(logger, e, route.Partner);
        }

        await channel.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The one message in flight: completed by the partner broker's ack, failed by a nack, a return or a closed channel.</summary>
    private sealed class PendingConfirm(ulong sequence, LinkForwarderRoute route)
    {
        private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _returned;

        public Task Confirmed => _confirmed.Task;

        // The broker sends basic.return before the ack of the same message.
        public void MarkReturned(ushort replyCode, string replyText) => _returned = $"{replyCode} {replyText}";

        public void Acknowledge(ulong deliveryTag, bool multiple)
        {
            if (!Covers(deliveryTag, multiple))
            {
                return;
            }

            if (_returned is { } reason)
            {
                _confirmed.TrySetException(new LinkForwarderException(
                    $"{route.Partner}'s broker returned the message ({reason}): no queue is bound to exchange {route.InboundExchange}."));
            }
            else
            {
                _confirmed.TrySetResult();
            }
        }

        public void Reject(ulong deliveryTag, bool multiple)
        {
            if (Covers(deliveryTag, multiple))
            {
                _confirmed.TrySetException(new LinkForwarderException($"{route.Partner}'s broker refused the message (basic.nack)."));
            }
        }

        public void Fail(Exception exception) => _confirmed.TrySetException(exception);

        private bool Covers(ulong deliveryTag, bool multiple) => multiple ? sequence <= deliveryTag : sequence == deliveryTag;
    }
}

/// <summary>Where one partner link takes messages from and to.</summary>
/// <param name="Partner">The partner administration.</param>
/// <param name="OutboundQueue">Our queue holding what waits for the partner.</param>
/// <param name="InboundExchange">The partner's inbound exchange (named like its inbound queue).</param>
/// <param name="PartnerBroker">The partner's broker, as the link user sees it.</param>
internal sealed record LinkForwarderRoute(string Partner, string OutboundQueue, string InboundExchange, RabbitMqBrokerAddress PartnerBroker);
