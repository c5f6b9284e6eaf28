namespace Interconnect.Node.Telemetry;

/// <summary>
/// Instrument and tag names of the node's Meter. In Prometheus (through the OTLP conversion) dots
/// become underscores, counters gain <c>_total</c> and a unit in seconds gains <c>_seconds</c>;
/// units in braces (<c>{entry}</c>) add nothing (docs/telemetry.md).
/// </summary>
public static class MetricNames
{
    /// <summary>Counter of entries appended to our Merkle log.</summary>
    public const string EntriesAppended = "interconnect.entries.appended";

    /// <summary>Counter of entries handed to the transport, per partner.</summary>
    public const string EntriesReplicated = "interconnect.entries.replicated";

    /// <summary>Counter of endorsements, per partner and direction.</summary>
    public const string EntriesEndorsed = "interconnect.entries.endorsed";

    /// <summary>Counter of rejections, per partner, direction and reason.</summary>
    public const string EntriesRejected = "interconnect.entries.rejected";

    /// <summary>Gauge: log leaves the partner has not acknowledged.</summary>
    public const string ReplicationLag = "interconnect.replication.lag";

    /// <summary>Gauge: seconds since the oldest leaf the partner has not acknowledged was appended.</summary>
    public const string ReplicationLagTime = "interconnect.replication.lag.time";

    /// <summary>Gauge: log leaves not yet handed to the transport for the partner.</summary>
    public const string ReplicationBacklog = "interconnect.replication.backlog";

    /// <summary>Histogram: signing of our entry to recording of a partner's endorsement.</summary>
    public const string EndorsementDuration = "interconnect.endorsement.duration";

    /// <summary>Counter of alarms about partners' logs (checkpoint inconsistencies, forks).</summary>
    public const string MeshAlarms = "interconnect.mesh.alarms";

    /// <summary>Observable counter of grain activations.</summary>
    public const string GrainActivations = "interconnect.grain.activations";

    /// <summary>Gauge of grain activations in memory.</summary>
    public const string GrainsActive = "interconnect.grain.active";

    /// <summary>Histogram of storage call durations, per operation and outcome.</summary>
    public const string StorageDuration = "interconnect.storage.duration";

    /// <summary>Gauge: 1 when a readiness check passes, 0 when not, per check.</summary>
    public const string Health = "interconnect.health";

    /// <summary>Tag: the partner administration.</summary>
    public const string PartnerTag = "interconnect.partner";

    /// <summary>Tag: <see cref="Issued"/> by this node or <see cref="Received"/> from the partner.</summary>
    public const string DirectionTag = "interconnect.direction";

    /// <summary>Tag: a rejection's reason code (bad-signature, no-agreement, ...).</summary>
    public const string ReasonTag = "interconnect.reason";

    /// <summary>Tag: an alarm's kind.</summary>
    public const string KindTag = "interconnect.alarm.kind";

    /// <summary>Counter: HTTP API requests refused, by reason (unauthenticated, forbidden, rate-limited) and role.</summary>
    public const string ApiRefused = "interconnect.api.refused";

    /// <summary>Tag: the role of the principal a request came from ("public" without credentials).</summary>
    public const string RoleTag = "interconnect.role";

    /// <summary>Tag: a storage operation (log.append, entities.read, ...).</summary>
    public const string OperationTag = "interconnect.storage.operation";

    /// <summary>Tag: ok, conflict or error.</summary>
    public const string OutcomeTag = "interconnect.outcome";

    /// <summary>Tag: a readiness check's name (storage, broker, signing-key).</summary>
    public const string CheckTag = "interconnect.check";

    /// <summary>Direction value: this node issued the receipt.</summary>
    public const string Issued = "issued";

    /// <summary>Direction value: a partner issued the receipt.</summary>
    public const string Received = "received";
}
