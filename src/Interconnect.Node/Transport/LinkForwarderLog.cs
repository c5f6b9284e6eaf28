namespace Interconnect.Node.Transport;

/// <summary>The link forwarder's log events. Broker addresses are logged without credentials.</summary>
internal static partial class LinkForwarderLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Link to {Partner}: forwarding from queue {OutboundQueue} on {OwnBroker} to exchange {InboundExchange} on {PartnerBroker}")]
    public static partial void Forwarding(ILogger logger, string partner, string outboundQueue, RabbitMqBrokerAddress ownBroker, string inboundExchange, RabbitMqBrokerAddress partnerBroker);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Link to {Partner}: our broker {OwnBroker} is not available; messages stay in the ledger, next attempt in {RetryIn}")]
    public static partial void OwnBrokerUnavailable(ILogger logger, Exception exception, string partner, RabbitMqBrokerAddress ownBroker, TimeSpan retryIn);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Link to {Partner}: not forwarding to {PartnerBroker}; messages wait in {OutboundQueue}, next attempt in {RetryIn}")]
    public static partial void PartnerUnavailable(ILogger logger, Exception? exception, string partner, RabbitMqBrokerAddress partnerBroker, string outboundQueue, TimeSpan retryIn);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Link to {Partner}: the link user may not declare on {PartnerBroker}; relying on the partner's own exchange {InboundExchange}")]
    public static partial void DeclarationRefused(ILogger logger, string partner, RabbitMqBrokerAddress partnerBroker, string inboundExchange);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Link to {Partner}: forwarded message {MessageId} (redelivered: {Redelivered})")]
    public static partial void Forwarded(ILogger logger, string partner, string? messageId, bool redelivered);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Link to {Partner}: message {MessageId} not forwarded, returned to {OutboundQueue}")]
    public static partial void NotForwarded(ILogger logger, Exception exception, string partner, string? messageId, string outboundQueue);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Link to {Partner}: closing a broker connection or channel failed")]
    public static partial void CloseFailed(ILogger logger, Exception exception, string partner);
}
