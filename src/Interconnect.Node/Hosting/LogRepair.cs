using Interconnect.Node.Configuration;

namespace Interconnect.Node.Hosting;

/// <summary>
/// Records in the Merkle log the entries that reached their entity's ledger but not the log because
/// storage failed between the two appends (or a caller gave up), without waiting for a restart:
/// until they are in the log they are neither provable nor replicated.
/// </summary>
internal sealed partial class LogRepair(AdministrationNode node, ReplicationOptions options, ILogger<LogRepair> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.PollInterval, node.Time, stoppingToken).ConfigureAwait(false);
            if (!node.Log.HasUnloggedEntries)
            {
                continue;
            }

            try
            {
                var repaired = await node.Log.RecordUnloggedAsync(stoppingToken).ConfigureAwait(false);
                LogRepaired(logger, repaired);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Storage still away: the log keeps the suspicion and the next round tries again.
                LogRepairFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Log repair: recorded the unlogged entries of {Entities} entities")]
    private static partial void LogRepaired(ILogger logger, int entities);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log repair failed, trying again: {Reason}")]
    private static partial void LogRepairFailed(ILogger logger, string reason);
}
