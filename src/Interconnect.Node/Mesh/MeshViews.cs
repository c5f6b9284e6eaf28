using Interconnect.Grains.MraAgreements;
using Interconnect.Storage;

namespace Interconnect.Node.Mesh;

/// <summary>The state of the link with one partner, as operations and officers see it.</summary>
/// <param name="Partner">The partner administration.</param>
/// <param name="Connected">Whether the transport can hand messages to the partner's link now.</param>
/// <param name="Backlog">Our log leaves the partner has not acknowledged yet (not all of them are for it).</param>
/// <param name="AcknowledgedThrough">Our log leaf count the partner has acknowledged (its cursor).</param>
/// <param name="LastAcknowledgedAt">When the partner last moved its cursor.</param>
/// <param name="LagSeconds">Age of the oldest leaf the partner has not acknowledged, in seconds (0 with no backlog).</param>
/// <param name="ReceivedThrough">The partner's log leaf count we have processed.</param>
/// <param name="PartnerCheckpointSize">Tree size of the last checkpoint of the partner's log we accepted.</param>
/// <param name="Alarm">A checkpoint inconsistency or fork seen from the partner, if any (never cleared silently).</param>
public sealed record PartnerLinkStatus(
    string Partner,
    bool Connected,
    long Backlog,
    long AcknowledgedThrough,
    DateTimeOffset? LastAcknowledgedAt,
    double LagSeconds,
    long ReceivedThrough,
    long PartnerCheckpointSize,
    MeshAlarm? Alarm);

/// <summary>Something a partner did that must not be accepted silently.</summary>
/// <param name="Partner">The partner concerned.</param>
/// <param name="Kind">"checkpoint-inconsistent", "checkpoint-fork", "chain-fork".</param>
/// <param name="Message">What exactly is wrong.</param>
/// <param name="RaisedAt">When it was detected.</param>
public sealed record MeshAlarm(string Partner, string Kind, string Message, DateTimeOffset RaisedAt);

/// <summary>A partner's signed answer to one of our entries.</summary>
/// <param name="Issuer">The partner.</param>
/// <param name="Verdict">"endorsed", "rejected", "business-accepted", "business-rejected".</param>
/// <param name="Reason">Why (rejections).</param>
/// <param name="IssuedAt">When the partner signed it.</param>
public sealed record ReceiptView(string Issuer, string Verdict, string Reason, DateTimeOffset IssuedAt);

/// <summary>Endorsement status of one of our entries: who endorsed or rejected it, and whether the MRA's quorum is met.</summary>
/// <param name="Sequence">The entry's sequence.</param>
/// <param name="EntryHash">The entry hash (hex).</param>
/// <param name="EntryType">The entry type.</param>
/// <param name="Receipts">Partners' receipts.</param>
/// <param name="Quorum">Endorsements the governing MRA requires (0 when no MRA governs the entry).</param>
/// <param name="Recognized">Whether at least <paramref name="Quorum"/> partners endorsed it.</param>
public sealed record EntryEndorsement(ulong Sequence, string EntryHash, string EntryType, IReadOnlyList<ReceiptView> Receipts, int Quorum, bool Recognized);

/// <summary>An entity a partner shared with us, folded from the entries we hold: only the fields disclosed to us.</summary>
/// <param name="Origin">The partner that owns it.</param>
/// <param name="Kind">Entity kind.</param>
/// <param name="Id">Entity id.</param>
/// <param name="Sequence">The last sequence we hold.</param>
/// <param name="LastEntryType">The type of that entry.</param>
/// <param name="LastEntryAt">When the partner signed it.</param>
/// <param name="ReceivedAt">When we stored and endorsed it (null if unknown).</param>
/// <param name="Fields">Latest value of each field disclosed to us.</param>
/// <param name="WithheldFields">Fields whose digests we hold but whose values the policy withholds from us.</param>
public sealed record SharedEntityView(
    string Origin,
    string Kind,
    string Id,
    ulong Sequence,
    string LastEntryType,
    DateTimeOffset LastEntryAt,
    DateTimeOffset? ReceivedAt,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyList<string> WithheldFields);

/// <summary>Reads of the mesh for the API and the web UI.</summary>
public interface IMeshQueries
{
    /// <summary>Every configured partner's link.</summary>
    Task<IReadOnlyList<PartnerLinkStatus>> GetLinksAsync(CancellationToken cancellationToken = default);

    /// <summary>What <paramref name="partner"/> has shared with us, optionally of one kind.</summary>
    Task<IReadOnlyList<SharedEntityView>> ListSharedAsync(string partner, string? kind, CancellationToken cancellationToken = default);

    /// <summary>One entity <paramref name="partner"/> shared with us, or null.</summary>
    Task<SharedEntityView?> GetSharedAsync(string partner, string kind, string id, CancellationToken cancellationToken = default);

    /// <summary>Endorsement status of each entry of one of our entities.</summary>
    Task<IReadOnlyList<EntryEndorsement>> GetEndorsementsAsync(EntityKey entity, CancellationToken cancellationToken = default);

    /// <summary>Alarms raised since start, newest first.</summary>
    IReadOnlyList<MeshAlarm> Alarms { get; }

    /// <summary>Entries and messages this node rejected since start, by reason code.</summary>
    IReadOnlyDictionary<string, long> RejectionsByReason { get; }
}

/// <summary>Officer actions that involve a partner's data.</summary>
public interface IMeshCommands
{
    /// <summary>Accepts the MRA that a partner proposed to us (its proposal must have reached us).</summary>
    Task<MraAgreementView> AcceptMraAsync(string agreementId, CancellationToken cancellationToken = default);

    /// <summary>Sends our final business response on a partner's shipment addressed to us.</summary>
    Task RespondToShipmentAsync(string origin, string consignmentReference, bool accepted, string? reason, CancellationToken cancellationToken = default);
}
