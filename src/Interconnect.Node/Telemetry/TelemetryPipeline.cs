using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// The node's OpenTelemetry providers, built with the SDK's builders (the hosting extensions are not
/// available): a tracer provider over our source and the framework's, and a meter provider over our
/// Meter and the framework's, each exporting over OTLP when an endpoint is configured. Started with
/// the node and shut down (flushing what is buffered) when it stops.
/// </summary>
internal sealed class TelemetryPipeline(TelemetryOptions options, NodeTelemetry telemetry, IServiceProvider services) : IHostedService, IDisposable
{
    private TracerProvider? _tracing;
    private MeterProvider? _metrics;

    /// <summary>The resource every signal of this node carries: service name, the administration, OTEL_RESOURCE_ATTRIBUTES.</summary>
    internal static ResourceBuilder Resource(TelemetryOptions options, string administrationId) =>
        ResourceBuilder.CreateEmpty()
            .AddService(options.ServiceName, serviceVersion: NodeTelemetry.Source.Version, serviceInstanceId: $"{administrationId}/{Environment.MachineName}")
            .AddTelemetrySdk()
            .AddAttributes(TelemetryOptions.Pairs(options.ResourceAttributes))
            .AddAttributes([new(TelemetryNames.AdministrationAttribute, administrationId)]);

    /// <summary>The exporter settings of one signal.</summary>
    internal static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, Uri endpoint)
    {
        exporter.Endpoint = endpoint;
        exporter.Protocol = options.Protocol;
        if (options.OtlpHeaders is { Length: > 0 } headers)
        {
            exporter.Headers = headers;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var resource = Resource(options, telemetry.AdministrationId);
        if (options.TracesEndpoint is { } traces)
        {
            var exporter = new OtlpExporterOptions();
            Configure(exporter, options, traces);
            _tracing = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(TelemetryNames.ActivitySource)
                .AddSource([.. TelemetryNames.BuiltInSources])
                .AddProcessor(new AdministrationSpans(telemetry.AdministrationId, new BatchActivityExportProcessor(new OtlpTraceExporter(exporter))))
                .Build();
        }

        if (options.MetricsEndpoint is { } metrics)
        {
            var exporter = new OtlpExporterOptions();
            Configure(exporter, options, metrics);
            var hostMeters = services.GetService<IMeterFactory>();
            _metrics = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(TelemetryNames.Meter)
                .AddMeter([.. TelemetryNames.BuiltInMeters])
                .AddView(instrument => IsOurs(instrument, hostMeters) ? null : MetricStreamConfiguration.Drop)
                .AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(exporter), (int)options.MetricExportInterval.TotalMilliseconds)
                {
                    TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
                })
                .Build();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Shut down here rather than at container disposal so the last spans of the stop are flushed
        // while the network is still there.
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _tracing, null)?.Dispose();
        Interlocked.Exchange(ref _metrics, null)?.Dispose();
    }

    // Our Meter and the host's framework meters are per node; a meter made by another node's host
    // in this process is that node's to export. Process-wide meters (System.Runtime) are everyone's.
    private bool IsOurs(Instrument instrument, IMeterFactory? hostMeters) =>
        instrument.Meter.Name == TelemetryNames.Meter
            ? ReferenceEquals(instrument.Meter.Scope, telemetry)
            : instrument.Meter.Scope is not IMeterFactory factory || ReferenceEquals(factory, hostMeters);

    /// <summary>
    /// Exports only the spans of this node: those tagged with its administration, or under a span
    /// that is; a span no node claims is exported when this is the only node in the process.
    /// </summary>
    private sealed class AdministrationSpans(string administrationId, BaseProcessor<Activity> export) : CompositeProcessor<Activity>([export])
    {
        public override void OnEnd(Activity data)
        {
            if (Owns(data))
            {
                base.OnEnd(data);
            }
        }

        private bool Owns(Activity activity)
        {
            for (var a = activity; a is not null; a = a.Parent)
            {
                if (a.GetTagItem(TelemetryNames.AdministrationAttribute) is string owner)
                {
                    return string.Equals(owner, administrationId, StringComparison.Ordinal);
                }
            }

            return NodeTelemetry.NodesInProcess <= 1;
        }
    }
}
