using System.Diagnostics.Metrics;
using Interconnect.Node.Hosting;
using Interconnect.Node.Replication;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// The node's observed instruments: replication lag and backlog per partner, grain activations and
/// readiness. Created at start rather than with <see cref="NodeTelemetry"/> because they read
/// services (the replicator, the grain runtime) that themselves record into it.
/// </summary>
internal sealed class TelemetryObservations(NodeTelemetry telemetry, AdministrationNode node, PartnerReplicator replicator, HealthMonitor health, TimeProvider time) : IHostedService
{
    private int _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return Task.CompletedTask;
        }

        var meter = telemetry.Meter;
        meter.CreateObservableGauge(MetricNames.ReplicationLag, Lag, "{entry}", "Log leaves the partner has not acknowledged yet.");
        meter.CreateObservableGauge(MetricNames.ReplicationLagTime, LagTime, "s", "Time since the oldest log leaf the partner has not acknowledged was appended (0 when it has them all).");
        meter.CreateObservableGauge(MetricNames.ReplicationBacklog, Backlog, "{entry}", "Log leaves not yet handed to the transport for the partner.");
        meter.CreateObservableCounter(MetricNames.GrainActivations, () => node.Grains.ActivationsCreated, "{activation}", "Grain activations since start.");
        meter.CreateObservableUpDownCounter(MetricNames.GrainsActive, () => (long)node.Grains.ActiveCount, "{activation}", "Grain activations in memory.");
        meter.CreateObservableGauge(MetricNames.Health, Health, "{check}", "1 while a readiness check passes, 0 while it fails (checked every 10 s).");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static KeyValuePair<string, object?> Partner(string partner) => new(MetricNames.PartnerTag, partner);

    private IEnumerable<Measurement<long>> Lag()
    {
        var size = node.Log.Size;
        foreach (var link in Links())
        {
            yield return new(Math.Max(0, size - link.Acknowledged), Partner(link.Partner));
        }
    }

    private IEnumerable<Measurement<double>> LagTime()
    {
        var size = node.Log.Size;
        var now = time.GetUtcNow();
        var links = Links().ToList();
        if (links.Count > 0)
        {
            // Append times below every partner's cursor will never be asked for again.
            telemetry.ForgetAppendsBelow(links.Min(l => l.Acknowledged));
        }

        foreach (var link in links)
        {
            var seconds = link.Acknowledged >= size ? 0 : Math.Max(0, (now - telemetry.AppendedAt(link.Acknowledged)).TotalSeconds);
            yield return new(seconds, Partner(link.Partner));
        }
    }

    private IEnumerable<Measurement<long>> Backlog()
    {
        var size = node.Log.Size;
        foreach (var link in Links())
        {
            yield return new(Math.Max(0, size - link.Sent), Partner(link.Partner));
        }
    }

    private IEnumerable<Measurement<long>> Health()
    {
        if (health.Latest is not { } report)
        {
            yield break;
        }

        foreach (var (name, entry) in report.Entries)
        {
            yield return new(entry.Status == HealthStatus.Healthy ? 1L : 0L, new KeyValuePair<string, object?>(MetricNames.CheckTag, name));
        }
    }

    private IEnumerable<PartnerLinkSnapshot> Links()
    {
        foreach (var partner in node.Partners)
        {
            if (replicator.Link(partner) is { } link)
            {
                yield return link;
            }
        }
    }
}
