using Interconnect.Contracts;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger.Receipts;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>
/// Records partners' answers to our entries: each signed receipt is verified against the partner's
/// keys and stored; endorsement or rejection of a shipment by its importing administration becomes
/// the shipment's delivery state; a business response becomes the shipment's final response.
/// </summary>
internal sealed partial class ReceiptRecorder(AdministrationNode node, PartnerReplicator replicator, Telemetry.NodeTelemetry telemetry, ILogger<ReceiptRecorder> logger)
{
    private long _endorsements;

    /// <summary>Partners' endorsements recorded since start.</summary>
    public long EndorsementsRecorded => Interlocked.Read(ref _endorsements);

    /// <summary>Handles a partner's acknowledgement of our stream.</summary>
    public async Task AcknowledgedAsync(EntriesAcknowledged message, CancellationToken cancellationToken)
    {
        if (!node.IsPartner(message.Issuer) || message.Origin != node.Id)
        {
            LogIgnored(logger, message.Issuer, "an acknowledgement not addressed to us or from a stranger");
            return;
        }

        using var span = telemetry.StartSpan("record receipts", System.Diagnostics.ActivityKind.Consumer);
        span?.SetTag(Telemetry.MetricNames.PartnerTag, message.Issuer).SetTag("interconnect.receipts", message.Receipts?.Count ?? 0)
            .SetTag("interconnect.log.through", message.ReceivedThrough);
        foreach (var bytes in message.Receipts ?? [])
        {
            if (Verify(message.Issuer, bytes) is not { } receipt)
            {
                continue;
            }

            var r = receipt.Receipt;
            if (r.Verdict == ReceiptVerdict.Rejected)
            {
                // Counted whatever it is about: a rejection of an entry sent in our name that we never
                // signed (a forgery on the link) is as much an operator's business as one of ours.
                telemetry.Rejected(message.Issuer, issued: false, Telemetry.NodeTelemetry.ReasonCode(r.Reason));
            }

            if (r.Sequence == 0)
            {
                LogUnreadableRejected(logger, message.Issuer, r.Reason);
                continue;
            }

            var entity = new EntityKey(node.Id, r.EntityKind, r.EntityId);
            var ours = await node.Store.Entities.ReadAsync(entity, r.Sequence, 1, cancellationToken).ConfigureAwait(false);
            if (ours.Count == 0 || ours[0].Entry.Hash != r.EntryHash)
            {
                // A receipt about an entry we never signed (e.g. a forgery the partner rejected): nothing of ours to record.
                LogForeignReceipt(logger, message.Issuer, entity.ToString(), r.Sequence, r.Verdict.ToString(), r.Reason);
                continue;
            }

            if (r.Verdict == ReceiptVerdict.Rejected && await AlreadyEndorsedAsync(entity, r, cancellationToken).ConfigureAwait(false))
            {
                // An endorsement countersigns the entry for good; a later rejection is about a later
                // delivery of it (e.g. a copy someone else disclosed too widely) and is only logged.
                LogRejectedAfterEndorsement(logger, r.Issuer, entity.ToString(), r.Sequence, r.Reason);
                continue;
            }

            await node.Store.Receipts.SaveAsync(
                new StoredReceipt(entity, r.Sequence, r.EntryHash, r.Issuer, r.Verdict, bytes, node.Time.GetUtcNow()),
                cancellationToken).ConfigureAwait(false);
            if (r.Verdict == ReceiptVerdict.Endorsed)
            {
                Interlocked.Increment(ref _endorsements);
                telemetry.Endorsed(r.Issuer, issued: false);
                telemetry.EndorsementRecorded(r.Issuer, ours[0].Entry.Body.Timestamp);
            }

            if (r.EntityKind == ShipmentGrain.EntityKind)
            {
                await RecordDeliveryAsync(r).ConfigureAwait(false);
            }
        }

        await replicator.AcknowledgedAsync(message.Issuer, message.ReceivedThrough, message.CheckpointSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Handles an importing administration's business response to one of our shipments.</summary>
    public async Task BusinessResponseAsync(RecordBusinessResponse message, CancellationToken cancellationToken)
    {
        if (!node.IsPartner(message.Issuer) || message.Origin != node.Id || Verify(message.Issuer, message.Receipt) is not { } receipt)
        {
            LogIgnored(logger, message.Issuer, "a business response that is not a partner's signed response to our shipment");
            return;
        }

        using var span = telemetry.StartSpan("record business response", System.Diagnostics.ActivityKind.Consumer);
        span?.SetTag(Telemetry.MetricNames.PartnerTag, message.Issuer);
        var r = receipt.Receipt;
        if (r.EntityKind != ShipmentGrain.EntityKind || r.Verdict is not (ReceiptVerdict.BusinessAccepted or ReceiptVerdict.BusinessRejected))
        {
            LogIgnored(logger, message.Issuer, $"a business response about {r.EntityKind}/{r.EntityId} with verdict {r.Verdict}");
            return;
        }

        await node.Store.Receipts.SaveAsync(
            new StoredReceipt(new EntityKey(node.Id, r.EntityKind, r.EntityId), r.Sequence, r.EntryHash, r.Issuer, r.Verdict, message.Receipt, node.Time.GetUtcNow()),
            cancellationToken).ConfigureAwait(false);
        var decision = r.Verdict == ReceiptVerdict.BusinessAccepted ? BusinessDecision.Accepted : BusinessDecision.Rejected;
        try
        {
            await node.Grains.GetGrain<IShipmentGrain>(r.EntityId)
                .RecordBusinessResponse(new RecordShipmentBusinessResponse(r.Issuer, decision, string.IsNullOrEmpty(r.Reason) ? null : r.Reason)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DomainRuleException or InvalidCommandException)
        {
            LogIgnored(logger, message.Issuer, $"a business response the shipment refused: {e.Message}");
        }
    }

    private async Task RecordDeliveryAsync(Receipt receipt)
    {
        var grain = node.Grains.GetGrain<IShipmentGrain>(receipt.EntityId);
        var shipment = await grain.GetState().ConfigureAwait(false);
        if (shipment.ImportingAdministration != receipt.Issuer)
        {
            return;
        }

        var state = receipt.Verdict == ReceiptVerdict.Endorsed ? DeliveryState.Delivered : DeliveryState.Failed;
        var current = shipment.DeliveryTo(receipt.Issuer);
        if (current is not null && (current.State == state || current.State == DeliveryState.Delivered))
        {
            return;
        }

        try
        {
            await grain.RecordDelivery(new RecordShipmentDelivery(receipt.Issuer, state, state == DeliveryState.Failed ? receipt.Reason : null)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DomainRuleException or InvalidCommandException)
        {
            LogIgnored(logger, receipt.Issuer, $"a delivery the shipment refused: {e.Message}");
        }
    }

    private async Task<bool> AlreadyEndorsedAsync(EntityKey entity, Receipt receipt, CancellationToken cancellationToken)
    {
        var stored = await node.Store.Receipts.ListAsync(entity, cancellationToken).ConfigureAwait(false);
        return stored.Any(s => s.Sequence == receipt.Sequence && s.Issuer == receipt.Issuer && s.EntryHash == receipt.EntryHash && s.Verdict == ReceiptVerdict.Endorsed);
    }

    private SignedReceipt? Verify(string issuer, byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        var decoded = SignedReceipt.Decode(bytes);
        if (!decoded.Ok)
        {
            LogIgnored(logger, issuer, "a receipt that cannot be decoded: " + decoded.Error!.Message);
            return null;
        }

        var receipt = decoded.Value!;
        if (receipt.Receipt.Issuer != issuer || receipt.Receipt.Origin != node.Id)
        {
            LogIgnored(logger, issuer, $"a receipt issued by {receipt.Receipt.Issuer} about {receipt.Receipt.Origin}'s entry");
            return null;
        }

        if (receipt.Verify(node.PartnerKeys) is { } fault)
        {
            LogIgnored(logger, issuer, "a receipt whose signature does not verify: " + fault.Describe());
            return null;
        }

        return receipt;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partner} rejected {Entity} entry {Sequence}, which it had endorsed; the endorsement stands: {Reason}")]
    private static partial void LogRejectedAfterEndorsement(ILogger logger, string partner, string entity, ulong sequence, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored from {Partner}: {What}")]
    private static partial void LogIgnored(ILogger logger, string partner, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partner} answered {Verdict} about {Entity} entry {Sequence}, which is not ours: {Reason}")]
    private static partial void LogForeignReceipt(ILogger logger, string partner, string entity, ulong sequence, string verdict, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partner} could not read an entry we sent: {Reason}")]
    private static partial void LogUnreadableRejected(ILogger logger, string partner, string reason);
}
