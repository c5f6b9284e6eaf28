using System.Diagnostics.Metrics;
using Interconnect.Storage;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Interconnect.Node.Telemetry;

/// <summary>Registers the node's telemetry: spans, the Meter, the OpenTelemetry providers and their OTLP export, the in-process figures of the operations page.</summary>
public static class TelemetryServices
{
    /// <summary>
    /// Adds telemetry for <paramref name="administrationId"/>'s node. Call after the node's store is
    /// registered (it is wrapped to be timed) and before the other hosted services (so the providers'
    /// buffers are flushed after those stop, with their final spans).
    /// </summary>
    public static IServiceCollection AddNodeTelemetry(this IServiceCollection services, string administrationId)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new NodeTelemetry(administrationId, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => TelemetryOptions.Read(
            sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().AddEnvironmentVariables().Build()));

        // The providers belong to this node's container (several nodes in one process each have their
        // own), are built when the host starts and shut down when the container is disposed.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.Clear()
                .AddDetector(sp => new NodeResource(sp.GetRequiredService<TelemetryOptions>(), administrationId)))
            .WithTracing(tracing => tracing
                .AddSource([TelemetryNames.ActivitySource, .. TelemetryNames.LibrarySources])
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter([TelemetryNames.Meter, .. TelemetryNames.LibraryMeters])
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging(configureBuilder: null, configureOptions: logs => logs.IncludeScopes = true);

        // The exporters depend on the node's options, read from its configuration: added when the
        // providers are built.
        services.ConfigureOpenTelemetryTracerProvider(ExportSpans);
        services.ConfigureOpenTelemetryMeterProvider(ExportMetrics);
        services.ConfigureOpenTelemetryLoggerProvider(ExportLogs);
        services.AddHostedService<TelemetryFlush>();

        services.AddSingleton<OperationsMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<OperationsMetrics>());
        services.AddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        services.AddHostedService<TelemetryObservations>();
        TimeTheStore(services);

        // Log records carry the trace and span ids of the span they were written in.
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions |=
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        return services;
    }

    // Without an endpoint for a signal its provider gets no exporter, and nothing leaves the node.
    private static void ExportSpans(IServiceProvider services, TracerProviderBuilder tracing)
    {
        var options = services.GetRequiredService<TelemetryOptions>();
        if (options.TracesEndpoint is { } endpoint)
        {
            var administrationId = services.GetRequiredService<NodeTelemetry>().AdministrationId;
            tracing.AddProcessor(new AdministrationSpans(administrationId, new BatchActivityExportProcessor(new OtlpTraceExporter(options.Exporter(endpoint)))));
        }
    }

    private static void ExportMetrics(IServiceProvider services, MeterProviderBuilder metrics)
    {
        var options = services.GetRequiredService<TelemetryOptions>();
        if (options.MetricsEndpoint is not { } endpoint)
        {
            return;
        }

        // Our Meter and the host's framework meters (ASP.NET Core's, Orleans') are per node: one made
        // by another node's host in this process is that node's to export. Process-wide meters
        // (System.Runtime) are everyone's.
        var telemetry = services.GetRequiredService<NodeTelemetry>();
        var hostMeters = services.GetService<IMeterFactory>();
        metrics
            .AddView(instrument => IsOurs(instrument, telemetry, hostMeters) ? null : MetricStreamConfiguration.Drop)
            .AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(options.Exporter(endpoint)), (int)options.MetricExportInterval.TotalMilliseconds)
            {
                TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
            });
    }

    private static void ExportLogs(IServiceProvider services, LoggerProviderBuilder logs)
    {
        var options = services.GetRequiredService<TelemetryOptions>();
        if (options.LogsEndpoint is { } endpoint)
        {
            logs.AddProcessor(new BatchLogRecordExportProcessor(new OtlpLogExporter(options.Exporter(endpoint))));
        }
    }

    private static bool IsOurs(Instrument instrument, NodeTelemetry telemetry, IMeterFactory? hostMeters) =>
        instrument.Meter.Name == TelemetryNames.Meter
            ? ReferenceEquals(instrument.Meter.Scope, telemetry)
            : instrument.Meter.Scope is not IMeterFactory factory || ReferenceEquals(factory, hostMeters);

    // Wraps whichever store the composition registered, so every provider is timed the same way.
    private static void TimeTheStore(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(INodeStore))
            ?? throw new InvalidOperationException("Register the node's store before its telemetry.");
        services.Remove(registered);
        services.AddSingleton<INodeStore>(sp =>
        {
            var inner = registered.ImplementationInstance as INodeStore
                ?? (INodeStore?)registered.ImplementationFactory?.Invoke(sp)
                ?? (INodeStore)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!);
            return new TimedNodeStore(inner, sp.GetRequiredService<NodeTelemetry>(), sp.GetRequiredService<TimeProvider>());
        });
    }

    /// <summary>The resource every signal of the node carries: service name, version and instance, the SDK, OTEL_RESOURCE_ATTRIBUTES, the administration.</summary>
    private sealed class NodeResource(TelemetryOptions options, string administrationId) : IResourceDetector
    {
        public Resource Detect() =>
            ResourceBuilder.CreateEmpty()
                .AddService(options.ServiceName, serviceVersion: NodeTelemetry.Source.Version, serviceInstanceId: $"{administrationId}/{Environment.MachineName}")
                .AddTelemetrySdk()
                .AddAttributes(TelemetryOptions.Pairs(options.ResourceAttributes))
                .AddAttributes([new(TelemetryNames.AdministrationAttribute, administrationId)])
                .Build();
    }
}
