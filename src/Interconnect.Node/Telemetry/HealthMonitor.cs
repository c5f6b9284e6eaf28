using Interconnect.Node.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// Runs the readiness checks every few seconds and keeps the last report, so the health gauge and
/// the operations page show what <c>/health/ready</c> would answer without each reader probing storage.
/// </summary>
internal sealed partial class HealthMonitor(HealthCheckService checks, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<HealthMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _running = new(1, 1);
    private (HealthReport Report, DateTimeOffset At)? _latest;

    /// <summary>The last report, or null before the first check.</summary>
    public HealthReport? Latest => _latest?.Report;

    /// <summary>The last report if younger than <paramref name="maxAge"/>, else a fresh one.</summary>
    public async Task<HealthReport> CurrentAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (_latest is { } latest && time.GetUtcNow() - latest.At < maxAge)
        {
            return latest.Report;
        }

        return await CheckAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _running.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not while the node starts: storage is being prepared then, and that is no news.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var report = await checks.CheckHealthAsync(c => c.Tags.Contains(ReadinessChecks.Tag), cancellationToken).ConfigureAwait(false);
            if (_latest?.Report.Status != report.Status && logger.IsEnabled(LogLevel.Information))
            {
                var checks = string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} ({e.Value.Description})"));
                LogReadiness(logger, report.Status, checks);
            }

            _latest = (report, time.GetUtcNow());
            return report;
        }
        finally
        {
            _running.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness is now {Status}: {Checks}")]
    private static partial void LogReadiness(ILogger logger, HealthStatus status, string checks);
}
