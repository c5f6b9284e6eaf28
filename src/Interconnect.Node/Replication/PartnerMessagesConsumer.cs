using Interconnect.Contracts;
using MassTransit;

namespace Interconnect.Node.Replication;

/// <summary>
/// Everything partners send this node. Each handler checks the message is for us and hands it on
/// (a partner's replication stream to its inbound grain, which orders it across the cluster's silos);
/// the ledger rules live in the receiver and the grains. A message that cannot be handled throws,
/// so MassTransit retries it and then moves it to the error queue with the reason. Handlers run with
/// no acting principal: what a partner causes is never attributed to one of our staff.
/// </summary>
internal sealed class PartnerMessagesConsumer(
    InboundReceiver receiver, ReceiptRecorder receipts, PartnerReplicator replicator, Hosting.AdministrationNode node, Telemetry.NodeTelemetry telemetry)
    : IConsumer<ReplicateEntries>,
      IConsumer<ReplicateEntityRange>,
      IConsumer<EntriesAcknowledged>,
      IConsumer<RequestLogRange>,
      IConsumer<RequestEntityRange>,
      IConsumer<RecordBusinessResponse>
{
    public Task Consume(ConsumeContext<ReplicateEntries> context)
    {
        using var unattributed = Grains.Runtime.Actor.None();
        var message = Addressed(context.Message, context.Message.Destination, context.Message.Origin);
        if (receiver.RefusedStranger(message.Origin))
        {
            return Task.CompletedTask;
        }

        OwnConsumeSpans();
        return node.Grains.GetGrain<IPartnerInboundGrain>(message.Origin).Receive(message);
    }

    public Task Consume(ConsumeContext<ReplicateEntityRange> context)
    {
        using var unattributed = Grains.Runtime.Actor.None();
        var message = Addressed(context.Message, context.Message.Destination, context.Message.Origin);
        if (receiver.RefusedStranger(message.Origin))
        {
            return Task.CompletedTask;
        }

        OwnConsumeSpans();
        return node.Grains.GetGrain<IPartnerInboundGrain>(message.Origin).ReceiveRange(message);
    }

    public Task Consume(ConsumeContext<EntriesAcknowledged> context)
    {
        using var unattributed = Grains.Runtime.Actor.None();
        var message = Addressed(context.Message, context.Message.Origin, context.Message.Issuer);
        return receipts.AcknowledgedAsync(message, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<RequestLogRange> context)
    {
        using var unattributed = Grains.Runtime.Actor.None();
        var message = Addressed(context.Message, context.Message.Origin, context.Message.Requester);
        return replicator.RewindAsync(message.Requester, message.LogFrom, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<RequestEntityRange> context)
    {
        using var unattributed = Grains.Runtime.Actor.None();
        var message = Addressed(context.Message, context.Message.Origin, context.Message.Requester);
        return node.IsPartner(message.Requester) && Ledger.Entries.Identifier.IsValid(message.EntityKind) && Ledger.Entries.Identifier.IsValid(message.EntityId)
            ? replicator.SendEntityRangeAsync(message, context.CancellationToken)
            : Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<RecordBusinessResponse> context)
    {
        using var unattributed = Grains.Runtime.Actor.None();
        var message = Addressed(context.Message, context.Message.Origin, context.Message.Issuer);
        return receipts.BusinessResponseAsync(message, context.CancellationToken);
    }

    // The message is handled in a grain, past a grain call: the receiving spans claim this node's
    // consume spans from there no more, so the consumer claims them here (the trace stays whole).
    private void OwnConsumeSpans() => telemetry.Claim(System.Diagnostics.Activity.Current);

    private T Addressed<T>(T message, string? to, string? from)
        where T : class
    {
        if (message is null || to is null || from is null)
        {
            throw new MalformedMessageException($"The {typeof(T).Name} message lacks its sender or destination.");
        }

        return to == node.Id
            ? message
            : throw new MalformedMessageException($"The {typeof(T).Name} message from {from} is addressed to {to}, not {node.Id}.");
    }
}

/// <summary>A message that no retry can make acceptable; it goes to the error queue with this reason.</summary>
public sealed class MalformedMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MalformedMessageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public MalformedMessageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public MalformedMessageException()
        : base("The message is malformed.")
    {
    }
}
