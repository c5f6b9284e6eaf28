using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// Listens to this node's Meter in process, so the operations page shows the very figures the
/// Meter exports: counter totals, the last value of each observed gauge, and histogram bucket
/// counts with the exported bucket bounds (so its p50/p99 are what histogram_quantile computes
/// from the exported buckets). Counter totals are sampled every second for the rates.
/// </summary>
internal sealed class OperationsMetrics : IHostedService, IDisposable
{
    private const int RateWindowSeconds = 10;
    private readonly NodeTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SeriesKey, long> _values = new();
    private readonly ConcurrentDictionary<SeriesKey, long[]> _buckets = new();
    private readonly ConcurrentDictionary<SeriesKey, double> _doubles = new();

    // Measurements come with the same tag keys in the same order per instrument, so the tag values
    // find the series without building its key on every storage call.
    private readonly ConcurrentDictionary<(Instrument, object?, object?, object?), SeriesKey> _seriesOf = new();
    private readonly Queue<(DateTimeOffset At, Dictionary<SeriesKey, long> Totals)> _samples = new();
    private readonly Lock _gate = new();
    private ITimer? _sampler;

    public OperationsMetrics(NodeTelemetry telemetry, TimeProvider time)
    {
        _telemetry = telemetry;
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, telemetry.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    /// <summary>Reads the observed gauges now (lag, backlog, activations, health).</summary>
    public void Observe()
    {
        lock (_gate)
        {
            _listener.RecordObservableInstruments();
        }
    }

    /// <summary>A counter's total, or an observed instrument's last value, summed over the series matching <paramref name="tags"/>.</summary>
    public long Value(string instrument, params (string Key, string Value)[] tags) =>
        _values.Where(e => e.Key.Instrument == instrument && e.Key.Matches(tags)).Sum(e => e.Value);

    /// <summary>An observed floating-point gauge's last value for the series matching <paramref name="tags"/> (the largest if several match).</summary>
    public double DoubleValue(string instrument, params (string Key, string Value)[] tags) =>
        _doubles.Where(e => e.Key.Instrument == instrument && e.Key.Matches(tags)).Select(e => e.Value).DefaultIfEmpty(0).Max();

    /// <summary>The series of <paramref name="instrument"/> with their tags and values.</summary>
    public IReadOnlyList<(IReadOnlyDictionary<string, string> Tags, long Value)> Series(string instrument) =>
        [.. _values.Where(e => e.Key.Instrument == instrument).Select(e => ((IReadOnlyDictionary<string, string>)e.Key.TagMap(), e.Value))];

    /// <summary>The per-second rate of a counter (summed over series matching <paramref name="tags"/>) over the last ten seconds or since start.</summary>
    public double Rate(string instrument, params (string Key, string Value)[] tags)
    {
        (DateTimeOffset At, Dictionary<SeriesKey, long> Totals) oldest;
        lock (_samples)
        {
            if (_samples.Count == 0)
            {
                return 0;
            }

            oldest = _samples.Peek();
        }

        var seconds = (_time.GetUtcNow() - oldest.At).TotalSeconds;
        if (seconds < 0.5)
        {
            return 0;
        }

        var then = oldest.Totals.Where(e => e.Key.Instrument == instrument && e.Key.Matches(tags)).Sum(e => e.Value);
        return Math.Max(0, Value(instrument, tags) - then) / seconds;
    }

    /// <summary>The q-quantile of a histogram (series matching <paramref name="tags"/> merged), interpolated within buckets as Prometheus does; null when empty.</summary>
    public double? Quantile(string instrument, IReadOnlyList<double> bounds, double q, params (string Key, string Value)[] tags)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        var merged = new long[bounds.Count + 1];
        foreach (var (series, counts) in _buckets)
        {
            if (series.Instrument == instrument && series.Matches(tags))
            {
                for (var i = 0; i < merged.Length; i++)
                {
                    merged[i] += Interlocked.Read(ref counts[i]);
                }
            }
        }

        var total = merged.Sum();
        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        long below = 0;
        for (var i = 0; i < merged.Length; i++)
        {
            if (below + merged[i] >= rank && merged[i] > 0)
            {
                if (i == bounds.Count)
                {
                    return bounds[^1];
                }

                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - below) / merged[i]);
            }

            below += merged[i];
        }

        return bounds[^1];
    }

    /// <summary>How many values a histogram holds (series matching <paramref name="tags"/>).</summary>
    public long Count(string instrument, params (string Key, string Value)[] tags) =>
        _buckets.Where(e => e.Key.Instrument == instrument && e.Key.Matches(tags)).Sum(e => e.Value.Sum());

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Sample();
        _sampler = _time.CreateTimer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sampler?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _sampler?.Dispose();
        _listener.Dispose();
    }

    private void Sample()
    {
        var totals = _values.Where(e => e.Key.IsCounter).ToDictionary(e => e.Key, e => e.Value);
        var now = _time.GetUtcNow();
        lock (_samples)
        {
            _samples.Enqueue((now, totals));
            while (_samples.Count > 1 && now - _samples.Peek().At > TimeSpan.FromSeconds(RateWindowSeconds))
            {
                _samples.Dequeue();
            }
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var series = SeriesOf(instrument, tags, instrument is Counter<long>);
        if (instrument is Counter<long>)
        {
            _values.AddOrUpdate(series, static (_, v) => v, static (_, total, v) => total + v, value);
        }
        else
        {
            _values[series] = value;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var series = SeriesOf(instrument, tags, isCounter: false);
        if (instrument is not Histogram<double>)
        {
            _doubles[series] = value;
            return;
        }

        var bounds = instrument.Name == MetricNames.EndorsementDuration ? NodeTelemetry.LatencyBuckets : NodeTelemetry.StorageBuckets;
        var counts = _buckets.GetOrAdd(series, _ => new long[bounds.Count + 1]);
        var bucket = 0;
        while (bucket < bounds.Count && value > bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref counts[bucket]);
    }

    private SeriesKey SeriesOf(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags, bool isCounter)
    {
        if (tags.Length > 3)
        {
            return new SeriesKey(instrument.Name, Key(tags), isCounter);
        }

        var probe = (instrument, tags.Length > 0 ? tags[0].Value : null, tags.Length > 1 ? tags[1].Value : null, tags.Length > 2 ? tags[2].Value : null);
        if (!_seriesOf.TryGetValue(probe, out var series))
        {
            series = new SeriesKey(instrument.Name, Key(tags), isCounter);
            _seriesOf.TryAdd(probe, series);
        }

        return series;
    }

    private static string Key(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var parts = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            parts.Add($"{tag.Key}={tag.Value}");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join('\u001f', parts);
    }

    /// <summary>One instrument's series: its tags as a sorted key.</summary>
    private readonly record struct SeriesKey(string Instrument, string Tags, bool IsCounter)
    {
        public Dictionary<string, string> TagMap() =>
            Tags.Length == 0
                ? []
                : Tags.Split('\u001f').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

        public bool Matches((string Key, string Value)[] wanted)
        {
            if (wanted.Length == 0)
            {
                return true;
            }

            var map = TagMap();
            return wanted.All(w => map.TryGetValue(w.Key, out var v) && v == w.Value);
        }
    }
}
