using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interconnect.Node.Telemetry.Tests.Support;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>
/// The Grafana dashboard asks only for series the node exports: every metric name in its queries is
/// the Prometheus name (OTLP conversion) of an instrument a running node publishes, on its own Meter or
/// on a library's it exports (Orleans' for the cluster panels).
/// </summary>
public sealed partial class DashboardTests
{
    [Fact]
    public async Task Dashboard_QueriesOnlyMetricsTheNodeExports_AndCoversTheOperatorsFigures()
    {
        var instruments = new List<Instrument>();
        var measured = new HashSet<Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == TelemetryNames.Meter || TelemetryNames.LibraryMeters.Contains(instrument.Meter.Name))
                {
                    lock (instruments)
                    {
                        instruments.Add(instrument);
                    }

                    meterListener.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<int>((instrument, _, _, _) => Measured(instrument));
            listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => Measured(instrument));
            listener.SetMeasurementEventCallback<float>((instrument, _, _, _) => Measured(instrument));
            listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Measured(instrument));
            listener.Start();
            // Two administrations: each partner link keeps its cursor in grain storage, whose
            // instruments Orleans publishes only once a grain with state is activated.
            await using var mesh = await TestMesh.StartAsync(["NL", "JP"]);
            listener.RecordObservableInstruments();
        }

        var exported = instruments.SelectMany(i => PrometheusNames(i).Select(name => (Name: name, Instrument: i)))
            .GroupBy(e => e.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Instrument).ToList(), StringComparer.Ordinal);
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "helm", "interconnect", "dashboards", "interconnect.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expr: t.GetProperty("expr").GetString()!)))
            .ToList();

        Assert.All(queries, q => Assert.True(MetricName().IsMatch(q.Expr), $"Panel \"{q.Panel}\" has a query naming no metric with a selector: {q.Expr}"));
        var used = queries.SelectMany(q => MetricName().Matches(q.Expr).Select(m => (q.Panel, Name: m.Value))).ToList();
        Assert.All(used, u => Assert.True(exported.ContainsKey(u.Name), $"Panel \"{u.Panel}\" queries {u.Name}, which the node does not export. Exported: {string.Join(", ", Neighbours(u.Name))}"));
        foreach (var needed in new[]
        {
            "interconnect_entries_appended_total", "interconnect_entries_replicated_total", "interconnect_entries_endorsed_total",
            "interconnect_replication_lag", "interconnect_replication_lag_time_seconds", "interconnect_replication_backlog",
            "interconnect_entries_rejected_total", "interconnect_endorsement_duration_seconds_bucket", "interconnect_health",
            "interconnect_storage_duration_seconds_bucket", "orleans_app_requests_timedout_total", "orleans_app_requests_canceled_total",
        })
        {
            Assert.Contains(used, u => u.Name == needed);
        }

        // The cluster panels: a running node records these from its first grain call (a partner link
        // reads its cursor from grain storage when it activates), so the panels are never empty.
        foreach (var cluster in new[]
        {
            "orleans_consistent_ring_size", "orleans_catalog_activations", "orleans_app_requests_latency_milliseconds_bucket",
            "orleans_storage_read_latency_milliseconds_bucket",
        })
        {
            Assert.Contains(used, u => u.Name == cluster);
            Assert.True(exported[cluster].Any(i => { lock (measured) { return measured.Contains(i); } }), $"{cluster} is published but the running node recorded nothing on it");
        }

        // The exported names sharing the misspelled one's first two words (all of them when none does).
        IEnumerable<string> Neighbours(string name)
        {
            var prefix = string.Join('_', name.Split('_').Take(2)) + "_";
            var near = exported.Keys.Where(e => e.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return (near.Count > 0 ? near : [.. exported.Keys]).Order(StringComparer.Ordinal);
        }

        void Measured(Instrument instrument)
        {
            lock (measured)
            {
                measured.Add(instrument);
            }
        }
    }

    [Theory]
    [InlineData("interconnect.replication.lag.time", "s", "gauge", "interconnect_replication_lag_time_seconds")]
    [InlineData("interconnect.entries.appended", "{entry}", "counter", "interconnect_entries_appended_total")]
    [InlineData("orleans-catalog-activations", null, "gauge", "orleans_catalog_activations")]
    [InlineData("orleans-app-requests-latency", "ms", "histogram", "orleans_app_requests_latency_milliseconds_bucket")]
    [InlineData("orleans-messaging-sent-header-size", "bytes", "counter", "orleans_messaging_sent_header_size_bytes_total")]
    public void PrometheusNames_FollowTheOtlpConversion(string name, string? unit, string kind, string expected)
    {
        using var meter = new Meter("Interconnect.Node.Telemetry.Tests.Names");
        Instrument instrument = kind switch
        {
            "counter" => meter.CreateCounter<long>(name, unit),
            "histogram" => meter.CreateHistogram<double>(name, unit),
            _ => meter.CreateObservableGauge(name, () => 0, unit),
        };

        Assert.Contains(expected, PrometheusNames(instrument));
    }

    /// <summary>
    /// The series names the OTLP → Prometheus conversion (Prometheus' otlptranslator with suffixes, as
    /// its OTLP receiver and the Collector's exporters use it) gives an instrument: the name split at
    /// every character a Prometheus name may not hold ('.', '-', '_') and joined with '_'; the unit's
    /// word appended unless the name holds it already (none for a unit in braces); '_total' for a
    /// monotonic counter; '_bucket', '_sum', '_count' for a histogram.
    /// </summary>
    private static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        var tokens = NameToken().Matches(instrument.Name).Select(m => m.Value).ToList();
        var unit = instrument.Unit switch
        {
            null or "" or "1" => null,
            { } braced when braced.Contains('{', StringComparison.Ordinal) => null,
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            { } other => other,
        };
        if (unit is not null && !tokens.Contains(unit))
        {
            tokens.Add(unit);
        }

        var type = instrument.GetType().GetGenericTypeDefinition();
        if (type == typeof(Counter<>) || type == typeof(ObservableCounter<>))
        {
            tokens.RemoveAll(t => t == "total");
            tokens.Add("total");
            return [string.Join('_', tokens)];
        }

        var name = string.Join('_', tokens);
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

    // A metric name in PromQL: a name followed by its selector or range (labels are followed by =, ~ or !, or sit in by (...)).
    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{|\[)")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z0-9:]+")]
    private static partial Regex NameToken();
}
