using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// Exports what the node's providers still buffer when the node stops, while the network is still
/// there; the container shuts them down when it is disposed. Registered before the node's other
/// hosted services, so it stops after them and their last spans go out too.
/// </summary>
internal sealed class TelemetryFlush(TracerProvider tracing, MeterProvider metrics, LoggerProvider logs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracing.ForceFlush();
        metrics.ForceFlush();
        logs.ForceFlush();
        return Task.CompletedTask;
    }
}
