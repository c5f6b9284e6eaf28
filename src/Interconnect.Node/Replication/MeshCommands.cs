using Interconnect.Contracts;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger.Receipts;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>Officer actions on partners' data: accepting a partner's MRA proposal, answering a partner's shipment.</summary>
internal sealed class MeshCommands(AdministrationNode node, IPartnerChannel channel) : IMeshCommands
{
    public async Task<MraAgreementView> AcceptMraAsync(string agreementId, CancellationToken cancellationToken = default)
    {
        foreach (var partner in node.Partners)
        {
            var first = await node.Store.Entities.ReadAsync(new EntityKey(partner, MraAgreementGrain.EntityKind, agreementId), 1, 1, cancellationToken).ConfigureAwait(false);
            if (first.Count == 1 && first[0].Entry.Body.EntryType == "mra.proposed")
            {
                return await node.Grains.GetGrain<IMraAgreementGrain>(agreementId).Accept(new AcceptMraAgreement(first[0])).ConfigureAwait(false);
            }
        }

        throw new KeyNotFoundException($"No partner's proposal of MRA {agreementId} has reached {node.Id}.");
    }

    public async Task RespondToShipmentAsync(string origin, string consignmentReference, bool accepted, string? reason, CancellationToken cancellationToken = default)
    {
        if (!node.IsPartner(origin))
        {
            throw new KeyNotFoundException($"{origin} is not a partner of {node.Id}.");
        }

        if (!accepted && string.IsNullOrWhiteSpace(reason))
        {
            throw new Grains.Runtime.InvalidCommandException("reason", "A rejection needs a reason.");
        }

        var entity = new EntityKey(origin, ShipmentGrain.EntityKind, consignmentReference);
        var head = await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"{origin} has not sent shipment {consignmentReference} to {node.Id}.");
        var verdict = accepted ? ReceiptVerdict.BusinessAccepted : ReceiptVerdict.BusinessRejected;
        var stamp = node.Signer.Stamp(DateTimeOffset.MinValue);
        var receipt = new Receipt(node.Id, origin, entity.Kind, entity.Id, head.LastSequence, head.LastHash, verdict, reason?.Trim() ?? string.Empty, stamp.Timestamp);
        var signed = SignedReceipt.Sign(receipt, stamp.Key).Encode();
        await node.Store.Receipts.SaveAsync(new StoredReceipt(entity, head.LastSequence, head.LastHash, node.Id, verdict, signed, node.Time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await channel.SendAsync(origin, new RecordBusinessResponse(node.Id, origin, signed), cancellationToken).ConfigureAwait(false);
    }
}
