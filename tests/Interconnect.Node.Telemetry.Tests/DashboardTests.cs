using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interconnect.Node.Telemetry.Tests.Support;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>
/// The Grafana dashboard asks only for series the node exports: every metric name in its queries is
/// the Prometheus name (OTLP conversion) of an instrument a running node's Meter publishes.
/// </summary>
public sealed partial class DashboardTests
{
    [Fact]
    public async Task Dashboard_QueriesOnlyMetricsTheNodeExports_AndCoversTheOperatorsFigures()
    {
        var instruments = new List<Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == TelemetryNames.Meter)
                {
                    lock (instruments)
                    {
                        instruments.Add(instrument);
                    }
                }
            };
            listener.Start();
            await using var mesh = await TestMesh.StartAsync(["NL"]);
        }

        var exported = instruments.SelectMany(PrometheusNames).ToHashSet(StringComparer.Ordinal);
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "helm", "interconnect", "dashboards", "interconnect.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expr: t.GetProperty("expr").GetString()!)))
            .ToList();

        var used = queries.SelectMany(q => MetricName().Matches(q.Expr).Select(m => (q.Panel, Name: m.Value))).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, u => Assert.True(exported.Contains(u.Name), $"Panel \"{u.Panel}\" queries {u.Name}, which the node does not export. Exported: {string.Join(", ", exported.Order(StringComparer.Ordinal))}"));
        foreach (var needed in new[]
        {
            "interconnect_entries_appended_total", "interconnect_entries_replicated_total", "interconnect_entries_endorsed_total",
            "interconnect_replication_lag", "interconnect_replication_lag_time_seconds", "interconnect_replication_backlog",
            "interconnect_entries_rejected_total", "interconnect_endorsement_duration_seconds_bucket", "interconnect_health",
            "interconnect_storage_duration_seconds_bucket",
        })
        {
            Assert.Contains(used, u => u.Name == needed);
        }
    }

    /// <summary>The series names the OTLP → Prometheus conversion gives an instrument.</summary>
    private static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        name += instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            null or "" => string.Empty,
            { } unit when unit.StartsWith('{') => string.Empty,
            { } unit => "_" + unit,
        };
        var type = instrument.GetType().GetGenericTypeDefinition();
        if (type == typeof(Counter<>) || type == typeof(ObservableCounter<>))
        {
            return [name + "_total"];
        }

        return type == typeof(Histogram<>) ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Interconnect.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Interconnect.sln not found above " + AppContext.BaseDirectory);
    }

    // A metric name in PromQL: our prefix, not a label (labels are followed by = or ~ or !, or sit in by (...)).
    [GeneratedRegex(@"\binterconnect_[a-z_]+(?=\{|\[)")]
    private static partial Regex MetricName();
}
