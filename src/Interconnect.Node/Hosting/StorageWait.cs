using Interconnect.Node.Configuration;
using Interconnect.Storage.AzureTable;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interconnect.Node.Hosting;

/// <summary>
/// Before a node on Azure Table storage starts its silo, it waits until the storage answers. Its
/// membership, its ledger and its log all live there, so starting without it could only fail, and a
/// process that exits is restarted over and over by its orchestrator. Meanwhile the node serves, on
/// its own URLs, <c>/health/live</c> (the process is alive and trying) and <c>/health/ready</c>
/// (503, with the storage's answer); every other request gets a 503 problem saying why.
/// </summary>
internal static partial class StorageWait
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Returns true once the storage answers (at once when it does on the first try), false when
    /// the process was asked to stop while waiting. Storage in memory needs no wait.
    /// </summary>
    public static async Task<bool> UntilStorageAnswersAsync(string[] args, NodeOptions options)
    {
        if (options.Storage.Provider != StorageProviders.AzureTable)
        {
            return true;
        }

        var store = new AzureTableNodeStore(NodeOptionsValidation.StorageOf(options), TimeProvider.System);
        var reason = await ProbeAsync(store, CancellationToken.None).ConfigureAwait(false);
        if (reason is null)
        {
            return true;
        }

        var since = DateTimeOffset.UtcNow;
        await using var waiting = BuildWaitingApp(args, () => (reason, since));
        await waiting.StartAsync().ConfigureAwait(false);
        var logger = waiting.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageWait));
        var stopping = waiting.Lifetime.ApplicationStopping;
        var delay = FirstRetry;
        try
        {
            while (reason is not null)
            {
                LogWaiting(logger, options.AdministrationId, reason, delay);
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                reason = await ProbeAsync(store, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }

            LogAnswered(logger, options.AdministrationId, DateTimeOffset.UtcNow - since);
            return true;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            await waiting.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<string?> ProbeAsync(AzureTableNodeStore store, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await store.ProbeAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer within 10 s";
        }
    }

    private static WebApplication BuildWaitingApp(string[] args, Func<(string? Reason, DateTimeOffset Since)> state)
    {
        var builder = NodeApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        string Why()
        {
            var (reason, since) = state();
            return $"Storage does not answer ({reason}); the node has been waiting for it since {since:O} and starts once it answers.";
        }

        app.MapGet("/health/live", () => Results.Text("Healthy"));
        app.MapGet("/health/ready", async context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            var entry = new HealthReportEntry(HealthStatus.Unhealthy, Why(), TimeSpan.Zero, exception: null, data: null);
            await HealthReportWriter.WriteAsync(context, new HealthReport(new Dictionary<string, HealthReportEntry> { [ReadinessChecks.Storage] = entry }, TimeSpan.Zero))
                .ConfigureAwait(false);
        });
        app.MapFallback(() => Results.Problem(title: "The node has not started", detail: Why(), statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administration {AdministrationId} waits for its storage, which does not answer ({Reason}); next try in {Delay}. /health/ready answers 503 meanwhile")]
    private static partial void LogWaiting(ILogger logger, string administrationId, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Administration {AdministrationId}: storage answers after {Waited}; starting")]
    private static partial void LogAnswered(ILogger logger, string administrationId, TimeSpan waited);
}
