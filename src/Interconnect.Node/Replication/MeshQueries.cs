using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Receipts;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>Reads of the mesh: partner links, what partners shared with us, endorsements of our entries.</summary>
internal sealed class MeshQueries(
    AdministrationNode node,
    IPartnerChannel channel,
    AgreementBook agreements,
    InboundReceiver receiver,
    MeshAlarms alarms) : IMeshQueries
{
    private const int MaxEntriesFolded = 1000;
    /// <summary>The entity kinds partners share with us (the key set aside).</summary>
    internal static readonly string[] SharedKinds = [AeoOperatorGrain.EntityKind, ShipmentGrain.EntityKind, MraAgreementGrain.EntityKind];

    public IReadOnlyList<MeshAlarm> Alarms => alarms.All;

    public IReadOnlyDictionary<string, long> RejectionsByReason => receiver.Rejections.Snapshot();

    public async Task<IReadOnlyList<PartnerLinkStatus>> GetLinksAsync(CancellationToken cancellationToken = default)
    {
        var links = new List<PartnerLinkStatus>();
        var size = await node.Log.SizeAsync(cancellationToken).ConfigureAwait(false);
        foreach (var partner in node.Partners)
        {
            // The link and stream grains hold where each direction stands (asking activates them).
            var link = await node.Grains.GetGrain<IPartnerLinkGrain>(partner).Status().WaitAsync(cancellationToken).ConfigureAwait(false);
            var stream = await node.StreamFromAsync(partner).WaitAsync(cancellationToken).ConfigureAwait(false);
            var acknowledged = link.Acknowledged;
            var lag = 0.0;
            if (acknowledged < size)
            {
                var oldest = await node.Store.Log.ReadAsync(acknowledged, 1, cancellationToken).ConfigureAwait(false);
                if (oldest.Count == 1)
                {
                    var entry = await node.Store.Entities.ReadAsync(oldest[0].Entity, oldest[0].Sequence, 1, cancellationToken).ConfigureAwait(false);
                    if (entry.Count == 1)
                    {
                        lag = Math.Max(0, (node.Time.GetUtcNow() - entry[0].Entry.Body.Timestamp).TotalSeconds);
                    }
                }
            }

            links.Add(new PartnerLinkStatus(
                partner, channel.IsConnected(partner), size - acknowledged, acknowledged, link.AcknowledgedAt,
                lag, stream.ReceivedThrough, stream.CheckpointSize, alarms.Latest(partner)));
        }

        return links;
    }

    public async Task<IReadOnlyList<SharedEntityView>> ListSharedAsync(string partner, string? kind, CancellationToken cancellationToken = default)
    {
        RequirePartner(partner);
        var views = new List<SharedEntityView>();
        foreach (var k in kind is null ? SharedKinds : [kind])
        {
            await foreach (var entity in node.Store.Entities.ListAsync(partner, k, cancellationToken).ConfigureAwait(false))
            {
                if (await FoldAsync(entity, cancellationToken).ConfigureAwait(false) is { } view)
                {
                    views.Add(view);
                }
            }
        }

        return views;
    }

    public Task<SharedEntityView?> GetSharedAsync(string partner, string kind, string id, CancellationToken cancellationToken = default)
    {
        RequirePartner(partner);
        return FoldAsync(new EntityKey(partner, kind, id), cancellationToken);
    }

    public async Task<IReadOnlyList<EntryEndorsement>> GetEndorsementsAsync(EntityKey entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var entries = await node.Store.Entities.ReadAsync(entity, 1, MaxEntriesFolded, cancellationToken).ConfigureAwait(false);
        var receipts = await node.Store.Receipts.ListAsync(entity, cancellationToken).ConfigureAwait(false);
        var quorum = await QuorumAsync(entity, cancellationToken).ConfigureAwait(false);
        return
        [
            .. entries.Select(e =>
            {
                var body = e.Entry.Body;
                var mine = receipts
                    .Where(r => r.Sequence == body.Sequence && r.EntryHash == e.Entry.Hash && r.Issuer != node.Id)
                    .Select(r => ToView(r))
                    .ToList();
                var endorsements = mine.Count(r => r.Verdict == "endorsed");
                return new EntryEndorsement(body.Sequence, e.Entry.Hash.ToString(), body.EntryType, mine, quorum, quorum > 0 && endorsements >= quorum);
            }),
        ];
    }

    private async Task<int> QuorumAsync(EntityKey entity, CancellationToken cancellationToken)
    {
        if (entity.Kind == MraAgreementGrain.EntityKind)
        {
            return (await agreements.FindAsync(entity.Id, cancellationToken).ConfigureAwait(false))?.EndorsementQuorum ?? 0;
        }

        var all = await agreements.GetAsync(cancellationToken).ConfigureAwait(false);
        return all.Values
            .Where(a => a.Status == MraStatus.InForce && a.Parties.Any(p => p != node.Id && a.PolicyFor(p)?.FieldsFor(entity.Kind) is not null))
            .Select(a => a.EndorsementQuorum)
            .DefaultIfEmpty(0)
            .Max();
    }

    private async Task<SharedEntityView?> FoldAsync(EntityKey entity, CancellationToken cancellationToken)
    {
        var entries = await node.Store.Entities.ReadAsync(entity, 1, MaxEntriesFolded, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return null;
        }

        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var withheld = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var field in entry.Fields)
            {
                fields[field.Name] = field.Value;
                withheld.Remove(field.Name);
            }

            foreach (var name in entry.WithheldFieldNames)
            {
                if (!fields.ContainsKey(name))
                {
                    withheld.Add(name);
                }
            }
        }

        var last = entries[^1];
        var receipts = await node.Store.Receipts.ListAsync(entity, cancellationToken).ConfigureAwait(false);
        var ours = receipts.LastOrDefault(r => r.Issuer == node.Id && r.Sequence == last.Entry.Body.Sequence);
        return new SharedEntityView(
            entity.Origin, entity.Kind, entity.Id, last.Entry.Body.Sequence, last.Entry.Body.EntryType, last.Entry.Body.Timestamp,
            ours?.ReceivedAt, fields, [.. withheld]);
    }

    private static ReceiptView ToView(StoredReceipt stored)
    {
        var decoded = SignedReceipt.Decode(stored.SignedReceipt).Value;
        return new ReceiptView(stored.Issuer, VerdictName(stored.Verdict), decoded?.Receipt.Reason ?? string.Empty, decoded?.Receipt.IssuedAt ?? stored.ReceivedAt);
    }

    public static string VerdictName(ReceiptVerdict verdict) => verdict switch
    {
        ReceiptVerdict.Endorsed => "endorsed",
        ReceiptVerdict.Rejected => "rejected",
        ReceiptVerdict.BusinessAccepted => "business-accepted",
        ReceiptVerdict.BusinessRejected => "business-rejected",
        _ => verdict.ToString(),
    };

    private void RequirePartner(string partner)
    {
        if (!node.IsPartner(partner))
        {
            throw new KeyNotFoundException($"{partner} is not a partner of {node.Id}.");
        }
    }
}
