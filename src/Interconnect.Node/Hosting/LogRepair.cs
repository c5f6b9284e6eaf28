using Interconnect.Node.Configuration;

namespace Interconnect.Node.Hosting;

/// <summary>
/// Records in the Merkle log the entries that reached their entity's ledger but not the log,
/// without waiting for a restart: until they are in the log they are neither provable nor
/// replicated. Two things leave such entries: storage failing between the two appends (or a caller
/// giving up), which this silo's log client notes; and a silo dying between the two, which no
/// one notes but the cluster's membership, so a silo declared dead makes every silo look too.
/// </summary>
internal sealed partial class LogRepair(
    AdministrationNode node, IClusterMembershipService membership, ReplicationOptions options, ILogger<LogRepair> logger) : BackgroundService
{
    private readonly HashSet<SiloAddress> _dead = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.PollInterval, node.Time, stoppingToken).ConfigureAwait(false);
            if (NewlyDead() is { } died)
            {
                LogSiloDied(logger, died);
                node.Log.SuspectUnloggedEntries();
            }

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

    // A silo of the cluster declared dead since the last look (on the first look, any that is).
    private SiloAddress? NewlyDead()
    {
        SiloAddress? died = null;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Dead && _dead.Add(member.SiloAddress))
            {
                died = member.SiloAddress;
            }
        }

        return died;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} died: looking for entries it stored but did not log")]
    private static partial void LogSiloDied(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Log repair: recorded the unlogged entries of {Entities} entities")]
    private static partial void LogRepaired(ILogger logger, int entities);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log repair failed, trying again: {Reason}")]
    private static partial void LogRepairFailed(ILogger logger, string reason);
}
