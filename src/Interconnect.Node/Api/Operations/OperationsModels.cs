namespace Interconnect.Node.Api.Operations;

/// <summary>The node's live operational figures, as its Meter exports them (docs/telemetry.md names each instrument).</summary>
/// <param name="AdministrationId">This administration.</param>
/// <param name="At">When the figures were read.</param>
/// <param name="LogSize">Leaves in our Merkle log.</param>
/// <param name="Throughput">Per-second rates over the last ten seconds.</param>
/// <param name="Totals">Counter totals since the node started.</param>
/// <param name="Partners">Replication to each partner.</param>
/// <param name="Rejections">Rejections by reason code, direction and partner.</param>
/// <param name="EndorsementLatency">Signing of our entries to the recording of partners' endorsements.</param>
/// <param name="Storage">Storage call latency over all operations.</param>
/// <param name="Grains">Grain activations.</param>
/// <param name="Readiness">The last readiness report (storage, broker, signing key).</param>
public sealed record OperationsMetricsResponse(
    string AdministrationId,
    DateTimeOffset At,
    long LogSize,
    ThroughputFigures Throughput,
    TotalFigures Totals,
    IReadOnlyList<PartnerFigures> Partners,
    IReadOnlyList<RejectionFigure> Rejections,
    LatencyFigures EndorsementLatency,
    LatencyFigures Storage,
    GrainFigures Grains,
    Hosting.ReadinessReport Readiness);

/// <summary>Per-second rates.</summary>
/// <param name="AppendedPerSecond">Entries appended to our log.</param>
/// <param name="ReplicatedPerSecond">Entries handed to the transport for partners.</param>
/// <param name="EndorsedPerSecond">Partners' endorsements of our entries recorded.</param>
/// <param name="EndorsementsIssuedPerSecond">Our endorsements of partners' entries.</param>
/// <param name="RejectedPerSecond">Rejections, both directions.</param>
public sealed record ThroughputFigures(double AppendedPerSecond, double ReplicatedPerSecond, double EndorsedPerSecond, double EndorsementsIssuedPerSecond, double RejectedPerSecond);

/// <summary>Counter totals since start.</summary>
/// <param name="Appended">Entries appended to our log.</param>
/// <param name="Replicated">Entries handed to the transport (resends included).</param>
/// <param name="EndorsementsReceived">Partners' endorsements of our entries.</param>
/// <param name="EndorsementsIssued">Our endorsements of partners' entries.</param>
/// <param name="RejectionsReceived">Partners' rejections of our entries.</param>
/// <param name="RejectionsIssued">Our rejections of partners' entries.</param>
/// <param name="Alarms">Alarms about partners' logs.</param>
public sealed record TotalFigures(long Appended, long Replicated, long EndorsementsReceived, long EndorsementsIssued, long RejectionsReceived, long RejectionsIssued, long Alarms);

/// <summary>Replication to one partner.</summary>
/// <param name="Partner">The partner administration.</param>
/// <param name="Connected">Whether its link can take messages now.</param>
/// <param name="LagEntries">Log leaves it has not acknowledged.</param>
/// <param name="LagSeconds">Age of the oldest leaf it has not acknowledged (0 when none).</param>
/// <param name="Backlog">Log leaves not yet handed to the transport for it.</param>
/// <param name="Replicated">Entries handed to the transport for it.</param>
/// <param name="EndorsementsReceived">Its endorsements of our entries.</param>
/// <param name="RejectionsReceived">Its rejections of our entries.</param>
public sealed record PartnerFigures(string Partner, bool Connected, long LagEntries, double LagSeconds, long Backlog, long Replicated, long EndorsementsReceived, long RejectionsReceived);

/// <summary>Rejections with one reason, direction and partner.</summary>
/// <param name="Reason">The reason code.</param>
/// <param name="Direction">issued (by us) or received (from the partner).</param>
/// <param name="Partner">The partner.</param>
/// <param name="Count">How many.</param>
public sealed record RejectionFigure(string Reason, string Direction, string Partner, long Count);

/// <summary>A latency histogram's count and quantiles, in seconds (null when empty).</summary>
/// <param name="Count">Values recorded.</param>
/// <param name="P50Seconds">Median.</param>
/// <param name="P99Seconds">99th percentile.</param>
public sealed record LatencyFigures(long Count, double? P50Seconds, double? P99Seconds);

/// <summary>Grain activations.</summary>
/// <param name="Activations">Created since start.</param>
/// <param name="Active">In memory now.</param>
public sealed record GrainFigures(long Activations, long Active);
