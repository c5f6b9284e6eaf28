using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Interconnect.Ledger;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// One node's spans and instruments. The ActivitySource is process-wide (one name for every node);
/// the Meter is this node's own instance, so that several nodes in one process (the demo, tests)
/// each export and show only their own figures. Every span is tagged with the administration.
/// </summary>
public sealed class NodeTelemetry : IDisposable
{
    /// <summary>The node's ActivitySource, shared by every node of the process.</summary>
    internal static readonly ActivitySource Source = new(TelemetryNames.ActivitySource, typeof(NodeTelemetry).Assembly.GetName().Version?.ToString());

    // Entries whose creating span is remembered for the replication span that sends them.
    private const int RememberedOrigins = 4096;

    // Reason codes in partners' rejections are theirs to choose: past this many distinct ones, new
    // ones count as "other", so a partner cannot multiply our series without bound.
    private const int MaxReasonCodes = 64;

    private static int _liveNodes;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Hash256, ActivityContext> _origins = new();
    private readonly ConcurrentQueue<Hash256> _originOrder = new();
    private readonly ConcurrentDictionary<string, bool> _reasonCodes = new(StringComparer.Ordinal);
    private readonly AppendTimes _appendTimes;
    private readonly Counter<long> _appended;
    private readonly Counter<long> _replicated;
    private readonly Counter<long> _endorsed;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _alarms;
    private readonly Counter<long> _apiRefused;
    private readonly Histogram<double> _endorsementLatency;
    private readonly Histogram<double> _storageDuration;
    private bool _disposed;

    /// <summary>Creates the node's Meter and its recorded instruments.</summary>
    public NodeTelemetry(string administrationId, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(administrationId);
        AdministrationId = administrationId;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _appendTimes = new AppendTimes(time.GetUtcNow());
        Interlocked.Increment(ref _liveNodes);
        Meter = new Meter(new MeterOptions(TelemetryNames.Meter)
        {
            Version = Source.Version,
            Scope = this,
        });
        _appended = Meter.CreateCounter<long>(MetricNames.EntriesAppended, "{entry}", "Entries this administration originated and appended to its Merkle log.");
        _replicated = Meter.CreateCounter<long>(MetricNames.EntriesReplicated, "{entry}", "Entries handed to the transport for a partner (resends included).");
        _endorsed = Meter.CreateCounter<long>(MetricNames.EntriesEndorsed, "{entry}", "Signed endorsements: issued by us for a partner's entry, or received from a partner for ours.");
        _rejected = Meter.CreateCounter<long>(MetricNames.EntriesRejected, "{entry}", "Signed rejections, by reason code: issued by us for a partner's entry, or received from a partner for ours.");
        _apiRefused = Meter.CreateCounter<long>(MetricNames.ApiRefused, "{request}", "HTTP API requests refused: without valid credentials, beyond the principal's role, or over a rate limit.");
        _alarms = Meter.CreateCounter<long>(MetricNames.MeshAlarms, "{alarm}", "Alarms about a partner's log: a checkpoint that does not extend the last one, a fork.");
        _endorsementLatency = Meter.CreateHistogram(
            MetricNames.EndorsementDuration,
            "s",
            "From the signing of one of our entries to the recording of a partner's endorsement of it.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _storageDuration = Meter.CreateHistogram(
            MetricNames.StorageDuration,
            "s",
            "Duration of each call into the node's storage, by operation and outcome.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = StorageBuckets });
    }

    /// <summary>Bucket bounds of the endorsement latency histogram, in seconds (also used by the operations page).</summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    /// <summary>Bucket bounds of the storage duration histogram, in seconds.</summary>
    public static IReadOnlyList<double> StorageBuckets { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Nodes alive in this process (more than one in the demo and in tests).</summary>
    internal static int NodesInProcess => Volatile.Read(ref _liveNodes);

    /// <summary>The administration this node acts for.</summary>
    public string AdministrationId { get; }

    /// <summary>This node's Meter (named <see cref="TelemetryNames.Meter"/>).</summary>
    public Meter Meter { get; }

    /// <summary>
    /// Starts a span of this node (null when nobody listens), tagged with the administration. The
    /// framework spans it runs under in this node (the HTTP request, MassTransit's receive and consume)
    /// are tagged too, up to the first span that came from elsewhere, so each node of a shared process
    /// exports its own.
    /// </summary>
    internal Activity? StartSpan(string name, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default, IEnumerable<ActivityLink>? links = null)
    {
        var activity = Source.StartActivity(name, kind, parent, tags: null, links);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(TelemetryNames.AdministrationAttribute, AdministrationId);
        Claim(activity.Parent);
        return activity;
    }

    /// <summary>
    /// Starts the span that hands entries to the transport for <paramref name="partner"/>: a child of
    /// the span that created the first of them (when this process remembers it), linked to the spans
    /// that created the others, so the command's trace runs on across the border.
    /// </summary>
    internal Activity? StartReplication(string name, string partner, IEnumerable<Hash256> entries)
    {
        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        foreach (var entry in entries)
        {
            if (OriginOf(entry) is not { } origin)
            {
                continue;
            }

            if (parent == default)
            {
                parent = origin;
            }
            else if (origin != parent && (links is null || !links.Exists(l => l.Context == origin)))
            {
                (links ??= []).Add(new ActivityLink(origin));
            }
        }

        var span = StartSpan(name, ActivityKind.Producer, parent, links);
        span?.SetTag(MetricNames.PartnerTag, partner);
        return span;
    }

    /// <summary>The code of a receipt's reason (<c>code: explanation</c>), or <c>other</c> when it has none we can use as a tag.</summary>
    internal static string ReasonCode(string reason)
    {
        var colon = (reason ?? string.Empty).IndexOf(':', StringComparison.Ordinal);
        var code = colon > 0 ? reason![..colon] : string.Empty;
        return code.Length is > 0 and <= 40 && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') ? code : "other";
    }

    /// <summary>Tags untagged in-process ancestors with this administration, stopping at a span that sent from elsewhere.</summary>
    internal void Claim(Activity? ancestor)
    {
        for (var a = ancestor; a is not null && a.GetTagItem(TelemetryNames.AdministrationAttribute) is null; a = a.Parent)
        {
            if (a.Kind is ActivityKind.Producer or ActivityKind.Client)
            {
                return;
            }

            a.SetTag(TelemetryNames.AdministrationAttribute, AdministrationId);
        }
    }

    /// <summary>Remembers the span that created <paramref name="entry"/>, for the replication span that will send it.</summary>
    internal void RememberOrigin(Hash256 entry)
    {
        if (Activity.Current is not { } current || !_origins.TryAdd(entry, current.Context))
        {
            return;
        }

        _originOrder.Enqueue(entry);
        while (_originOrder.Count > RememberedOrigins && _originOrder.TryDequeue(out var oldest))
        {
            _origins.TryRemove(oldest, out _);
        }
    }

    /// <summary>The span that created <paramref name="entry"/> in this process, if still remembered.</summary>
    internal ActivityContext? OriginOf(Hash256 entry) => _origins.TryGetValue(entry, out var context) ? context : null;

    /// <summary>Leaves appended to the Merkle log from <paramref name="start"/>.</summary>
    internal void Appended(long start, int count)
    {
        _appendTimes.Add(start, count, _time.GetUtcNow());
        _appended.Add(count);
    }

    /// <summary>When the leaf at <paramref name="index"/> was appended (the process start for leaves logged before it).</summary>
    internal DateTimeOffset AppendedAt(long index) => _appendTimes.At(index);

    /// <summary>Forgets append times below <paramref name="index"/> (every partner acknowledged them).</summary>
    internal void ForgetAppendsBelow(long index) => _appendTimes.ForgetBelow(index);

    /// <summary>Entries handed to the transport for <paramref name="partner"/>.</summary>
    internal void Replicated(string partner, int count)
    {
        if (count > 0)
        {
            _replicated.Add(count, new KeyValuePair<string, object?>(MetricNames.PartnerTag, partner));
        }
    }

    /// <summary>An endorsement issued by us (<paramref name="issued"/>) or received from <paramref name="partner"/>.</summary>
    internal void Endorsed(string partner, bool issued) =>
        _endorsed.Add(1, new KeyValuePair<string, object?>(MetricNames.PartnerTag, partner), Direction(issued));

    /// <summary>A rejection issued by us or received from <paramref name="partner"/>, with its reason code.</summary>
    internal void Rejected(string partner, bool issued, string reason)
    {
        // Only partners' codes are capped: ours are a fixed set, and a partner sending many made-up
        // codes must not push our own into "other".
        if (!issued && !_reasonCodes.ContainsKey(reason) && (_reasonCodes.Count >= MaxReasonCodes || !_reasonCodes.TryAdd(reason, true)))
        {
            reason = "other";
        }

        _rejected.Add(1, new KeyValuePair<string, object?>(MetricNames.PartnerTag, partner), Direction(issued), new KeyValuePair<string, object?>(MetricNames.ReasonTag, reason));
    }

    /// <summary>Counts an API request refused for <paramref name="reason"/> (unauthenticated, forbidden, rate-limited).</summary>
    internal void ApiRefused(string reason, string role) =>
        _apiRefused.Add(1, new KeyValuePair<string, object?>(MetricNames.ReasonTag, reason), new KeyValuePair<string, object?>(MetricNames.RoleTag, role));

    /// <summary>An alarm about <paramref name="partner"/>'s log.</summary>
    internal void Alarm(string partner, string kind) =>
        _alarms.Add(1, new KeyValuePair<string, object?>(MetricNames.PartnerTag, partner), new KeyValuePair<string, object?>(MetricNames.KindTag, kind));

    /// <summary>A partner's endorsement of an entry we signed at <paramref name="signedAt"/> was recorded now.</summary>
    internal void EndorsementRecorded(string partner, DateTimeOffset signedAt) =>
        _endorsementLatency.Record(Math.Max(0, (_time.GetUtcNow() - signedAt).TotalSeconds), new KeyValuePair<string, object?>(MetricNames.PartnerTag, partner));

    /// <summary>One storage call took <paramref name="seconds"/>.</summary>
    internal void StorageCall(string operation, string outcome, double seconds) =>
        _storageDuration.Record(seconds, new KeyValuePair<string, object?>(MetricNames.OperationTag, operation), new KeyValuePair<string, object?>(MetricNames.OutcomeTag, outcome));

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Interlocked.Decrement(ref _liveNodes);
            Meter.Dispose();
        }
    }

    private static KeyValuePair<string, object?> Direction(bool issued) =>
        new(MetricNames.DirectionTag, issued ? MetricNames.Issued : MetricNames.Received);

    /// <summary>Append times of log leaves, as runs of consecutive leaves appended together.</summary>
    private sealed class AppendTimes(DateTimeOffset processStart)
    {
        // A partner that never acknowledges must not make this grow without bound; past it the oldest
        // runs are dropped and their leaves read as appended at the process start (an underestimate).
        private const int MaxRuns = 65536;
        private readonly Lock _gate = new();
        private readonly List<(long Start, int Count, DateTimeOffset At)> _runs = [];

        public void Add(long start, int count, DateTimeOffset at)
        {
            lock (_gate)
            {
                _runs.Add((start, count, at));
                if (_runs.Count > MaxRuns)
                {
                    // In one sweep of half the runs, not one shift of the whole list per append.
                    _runs.RemoveRange(0, MaxRuns / 2);
                }
            }
        }

        public DateTimeOffset At(long index)
        {
            lock (_gate)
            {
                // Runs are appended in log order: the first run ending after the index holds it.
                foreach (var (start, count, at) in _runs)
                {
                    if (index < start + count)
                    {
                        return index >= start ? at : processStart;
                    }
                }

                return processStart;
            }
        }

        public void ForgetBelow(long index)
        {
            lock (_gate)
            {
                var gone = 0;
                while (gone < _runs.Count && _runs[gone].Start + _runs[gone].Count <= index)
                {
                    gone++;
                }

                _runs.RemoveRange(0, gone);
            }
        }
    }
}
