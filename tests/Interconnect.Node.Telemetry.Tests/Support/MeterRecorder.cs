using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Interconnect.Node.Telemetry.Tests.Support;

/// <summary>
/// A MeterListener on every node Meter of the process, keeping figures per node (the Meter's
/// scope is its <see cref="NodeTelemetry"/>): counter totals, the last observed value of each
/// gauge, histogram counts. Start it before the nodes so no measurement is missed.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(object Node, string Instrument, string Tags), double> _figures = new();
    private readonly ConcurrentDictionary<(object Node, string Instrument, string Tags), long> _counts = new();

    public MeterRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetryNames.Meter && instrument.Meter.Scope is NodeTelemetry)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>Reads every observed instrument now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>A counter's total, or a gauge's last value, for <paramref name="node"/>, summed over the series having every tag in <paramref name="tags"/>.</summary>
    public double Value(NodeTelemetry node, string instrument, params string[] tags) =>
        _figures.Where(e => ReferenceEquals(e.Key.Node, node) && e.Key.Instrument == instrument && tags.All(t => e.Key.Tags.Split('|').Contains(t))).Sum(e => e.Value);

    /// <summary>How many values a histogram received for <paramref name="node"/> (series with every tag in <paramref name="tags"/>).</summary>
    public long Count(NodeTelemetry node, string instrument, params string[] tags) =>
        _counts.Where(e => ReferenceEquals(e.Key.Node, node) && e.Key.Instrument == instrument && tags.All(t => e.Key.Tags.Split('|').Contains(t))).Sum(e => e.Value);

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>();
        foreach (var tag in tags)
        {
            parts.Add($"{tag.Key}={tag.Value}");
        }

        parts.Sort(StringComparer.Ordinal);
        var key = (instrument.Meter.Scope!, instrument.Name, string.Join('|', parts));
        switch (instrument)
        {
            case Counter<long>:
                _figures.AddOrUpdate(key, value, (_, total) => total + value);
                break;
            case Histogram<double>:
                _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
                break;
            default:
                _figures[key] = value;
                break;
        }
    }
}
