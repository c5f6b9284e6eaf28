using Interconnect.Storage;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;

namespace Interconnect.Node.Telemetry;

/// <summary>Registers the node's telemetry: spans, the Meter, the OTLP providers, the in-process figures of the operations page.</summary>
public static class TelemetryServices
{
    /// <summary>
    /// Adds telemetry for <paramref name="administrationId"/>'s node. Call after the node's store is
    /// registered (it is wrapped to be timed) and before the other hosted services (so the providers
    /// start first and stop last, flushing the final spans).
    /// </summary>
    public static IServiceCollection AddNodeTelemetry(this IServiceCollection services, string administrationId)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new NodeTelemetry(administrationId, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => TelemetryOptions.Read(
            sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().AddEnvironmentVariables().Build()));
        services.AddSingleton<TelemetryPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryPipeline>());
        services.AddSingleton<OperationsMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<OperationsMetrics>());
        services.AddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        services.AddHostedService<TelemetryObservations>();
        TimeTheStore(services);

        // Log records carry the trace and span ids of the span they were written in.
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions |=
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        services.AddLogging(logging => logging.AddOpenTelemetry());
        services.AddOptions<OpenTelemetryLoggerOptions>().Configure<TelemetryOptions>((logs, options) =>
        {
            if (options.LogsEndpoint is not { } endpoint)
            {
                return;
            }

            logs.IncludeScopes = true;
            logs.SetResourceBuilder(TelemetryPipeline.Resource(options, administrationId));
            logs.AddOtlpExporter(exporter => TelemetryPipeline.Configure(exporter, options, endpoint));
        });
        return services;
    }

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
}
