using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Sharing;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Node.Hosting;

namespace Interconnect.Node.Replication;

/// <summary>
/// Which of our entries a partner receives, and in what form: access to the mesh is not access to
/// the data. Key-set entries go whole to every partner; MRA entries go whole to the agreement's parties; AEO entries to partners with an MRA in
/// force whose policy gives them AEO data, with the policy's fields only; shipment entries to the
/// importing administration once the shipment has been sent to it, under the policy's fields.
/// </summary>
internal sealed class ReplicationScope(AdministrationNode node, AgreementBook agreements)
{
    /// <summary>The view of our <paramref name="entry"/> that <paramref name="partner"/> may receive.</summary>
    public async Task<SharedView> ForPartnerAsync(DisclosedEntry entry, string partner, CancellationToken cancellationToken)
    {
        var body = entry.Entry.Body;
        switch (body.EntityKind)
        {
            case MraAgreementGrain.EntityKind:
                var agreement = await agreements.FindAsync(body.EntityId, cancellationToken).ConfigureAwait(false);
                return agreement is not null && agreement.Parties.Contains(partner, StringComparer.Ordinal)
                    ? new SharedView.Disclosed(entry)
                    : new SharedView.Refused($"{partner} is not a party to MRA {body.EntityId}.");
            case KeySetFormat.EntityKind:
                // Key sets are public: every partner needs them to verify anything we sign, agreement or not.
                return new SharedView.Disclosed(entry);
            case AeoOperatorGrain.EntityKind:
                return await UnderAgreementAsync(entry, partner, cancellationToken).ConfigureAwait(false);
            case ShipmentGrain.EntityKind:
                var shipment = await node.Grains.GetGrain<IShipmentGrain>(body.EntityId).GetState().ConfigureAwait(false);
                if (!string.Equals(shipment.ImportingAdministration, partner, StringComparison.Ordinal))
                {
                    return new SharedView.Refused($"Shipment {body.EntityId} is not addressed to {partner}.");
                }

                // Nothing leaves before the officer sends the shipment; the partner then asks for the earlier entries.
                return shipment.Status is ShipmentStatus.None or ShipmentStatus.Declared
                    ? new SharedView.Refused($"Shipment {body.EntityId} has not been sent to {partner} yet.")
                    : await UnderAgreementAsync(entry, partner, cancellationToken).ConfigureAwait(false);
            default:
                return new SharedView.Refused($"{body.EntityKind} entries are not shared.");
        }
    }

    private async Task<SharedView> UnderAgreementAsync(DisclosedEntry entry, string partner, CancellationToken cancellationToken)
    {
        var kind = entry.Entry.Body.EntityKind;
        var agreement = await agreements.GoverningAsync(partner, partner, kind, cancellationToken).ConfigureAwait(false);
        return agreement is null
            ? new SharedView.Refused($"No MRA in force entitles {partner} to {kind} entries.")
            : DisclosurePolicy.ForPartner(entry, agreement, partner);
    }
}
