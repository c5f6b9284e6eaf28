using Interconnect.Node.Access;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Operations;

/// <summary><c>/api/operations</c>: the live figures behind the operations page, read from the node's Meter.</summary>
public static class OperationsApi
{
    private static readonly TimeSpan ReadinessMaxAge = TimeSpan.FromSeconds(5);

    /// <summary>Maps <c>GET /api/operations/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/operations/metrics", ReadAsync)
            .WithTags("Operations")
            .WithName("GetOperationsMetrics")
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithSummary("Throughput, replication lag and backlog per partner, rejections by reason, endorsement latency, storage latency and readiness: the figures the node's Meter exports.");
        return routes;
    }

    private static async Task<Ok<OperationsMetricsResponse>> ReadAsync(
        AdministrationNode node, OperationsMetrics metrics, HealthMonitor health, IPartnerChannel channel, TimeProvider time, CancellationToken cancellationToken)
    {
        var readiness = await health.CurrentAsync(ReadinessMaxAge, cancellationToken).ConfigureAwait(false);
        metrics.Observe();
        return TypedResults.Ok(Read(node, metrics, channel, time, HealthReportWriter.Describe(readiness)));
    }

    /// <summary>The figures now (observed gauges as last read).</summary>
    internal static OperationsMetricsResponse Read(AdministrationNode node, OperationsMetrics metrics, IPartnerChannel channel, TimeProvider time, ReadinessReport readiness)
    {
        var issued = (MetricNames.DirectionTag, MetricNames.Issued);
        var received = (MetricNames.DirectionTag, MetricNames.Received);
        var partners = node.Partners.Select(p =>
        {
            var partner = (MetricNames.PartnerTag, p);
            return new PartnerFigures(
                p,
                channel.IsConnected(p),
                metrics.Value(MetricNames.ReplicationLag, partner),
                metrics.DoubleValue(MetricNames.ReplicationLagTime, partner),
                metrics.Value(MetricNames.ReplicationBacklog, partner),
                metrics.Value(MetricNames.EntriesReplicated, partner),
                metrics.Value(MetricNames.EntriesEndorsed, partner, received),
                metrics.Value(MetricNames.EntriesRejected, partner, received));
        }).ToList();
        var rejections = metrics.Series(MetricNames.EntriesRejected)
            .Select(s => new RejectionFigure(
                s.Tags.GetValueOrDefault(MetricNames.ReasonTag, "unknown"),
                s.Tags.GetValueOrDefault(MetricNames.DirectionTag, "unknown"),
                s.Tags.GetValueOrDefault(MetricNames.PartnerTag, "unknown"),
                s.Value))
            .OrderByDescending(r => r.Count)
            .ThenBy(r => r.Reason, StringComparer.Ordinal)
            .ToList();
        return new OperationsMetricsResponse(
            node.Id,
            time.GetUtcNow(),
            node.Log.Size,
            new ThroughputFigures(
                metrics.Rate(MetricNames.EntriesAppended),
                metrics.Rate(MetricNames.EntriesReplicated),
                metrics.Rate(MetricNames.EntriesEndorsed, received),
                metrics.Rate(MetricNames.EntriesEndorsed, issued),
                metrics.Rate(MetricNames.EntriesRejected)),
            new TotalFigures(
                metrics.Value(MetricNames.EntriesAppended),
                metrics.Value(MetricNames.EntriesReplicated),
                metrics.Value(MetricNames.EntriesEndorsed, received),
                metrics.Value(MetricNames.EntriesEndorsed, issued),
                metrics.Value(MetricNames.EntriesRejected, received),
                metrics.Value(MetricNames.EntriesRejected, issued),
                metrics.Value(MetricNames.MeshAlarms)),
            partners,
            rejections,
            Latency(metrics, MetricNames.EndorsementDuration, NodeTelemetry.LatencyBuckets),
            Latency(metrics, MetricNames.StorageDuration, NodeTelemetry.StorageBuckets),
            new GrainFigures(metrics.Value(MetricNames.GrainActivations), metrics.Value(MetricNames.GrainsActive)),
            readiness);
    }

    private static LatencyFigures Latency(OperationsMetrics metrics, string instrument, IReadOnlyList<double> bounds) =>
        new(metrics.Count(instrument), metrics.Quantile(instrument, bounds, 0.5), metrics.Quantile(instrument, bounds, 0.99));
}
