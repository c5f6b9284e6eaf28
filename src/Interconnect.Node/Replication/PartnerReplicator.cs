using System.Collections.Concurrent;
using Interconnect.Contracts;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;

namespace Interconnect.Node.Replication;

/// <summary>
/// This silo's side of replication: keeps every partner link grain active in the cluster (a link
/// whose silo died is activated again on the next poll, from any silo), wakes them when this silo
/// sees the log grow, hands them what partners send, and mirrors their state for this silo's
/// metrics and queries. The sending itself is the link grains' (<see cref="PartnerLinkGrain"/>).
/// </summary>
internal sealed partial class PartnerReplicator(
    AdministrationNode node,
    ClusterChanges changes,
    ReplicationOptions options,
    ILogger<PartnerReplicator> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, PartnerLinkSnapshot> _seen = new(StringComparer.Ordinal);

    /// <summary>The link with <paramref name="partner"/> as this silo last saw it, or null (a stranger, or not seen yet).</summary>
    public PartnerLinkSnapshot? Link(string partner) => _seen.GetValueOrDefault(partner);

    /// <summary>Wakes every partner link (new leaves in the log).</summary>
    public void Notify()
    {
        foreach (var partner in node.Partners)
        {
            _ = WakeAsync(partner);
        }
    }

    /// <summary>A partner acknowledged our stream through <paramref name="receivedThrough"/> and holds our checkpoint of <paramref name="checkpointSize"/>.</summary>
    public Task AcknowledgedAsync(string partner, long receivedThrough, long checkpointSize, CancellationToken cancellationToken) =>
        node.IsPartner(partner) ? LinkGrain(partner).Acknowledged(receivedThrough, checkpointSize).WaitAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>The partner found a gap in our stream: send again from <paramref name="logFrom"/>.</summary>
    public Task RewindAsync(string partner, long logFrom, CancellationToken cancellationToken) =>
        node.IsPartner(partner) ? LinkGrain(partner).Rewind(logFrom).WaitAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Sends the partner the entries of one of our entities it lacks, as far as it may receive them.</summary>
    public Task SendEntityRangeAsync(RequestEntityRange request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return node.IsPartner(request.Requester)
            ? LinkGrain(request.Requester).SendEntityRange(request.EntityKind, request.EntityId, request.FromSequence, request.ThroughSequence).WaitAsync(cancellationToken)
            : Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        node.Log.Appended += (_, _) => Notify();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await changes.SubscribeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // This silo reloads what it keeps when the subscription is taken up again.
                LogLinkUnavailable(logger, "the cluster's changes", e.Message);
            }

            foreach (var partner in node.Partners)
            {
                try
                {
                    // Asking activates the link if no silo holds it (first start, or its silo died).
                    _seen[partner] = await LinkGrain(partner).Status().WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogLinkUnavailable(logger, partner, e.Message);
                }
            }

            try
            {
                await Task.Delay(options.PollInterval, node.Time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private IPartnerLinkGrain LinkGrain(string partner) => node.Grains.GetGrain<IPartnerLinkGrain>(partner);

    private async Task WakeAsync(string partner)
    {
        try
        {
            await LinkGrain(partner).Wake().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The next poll wakes it anyway.
            LogLinkUnavailable(logger, partner, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The link to {Partner} did not answer: {Reason}")]
    private static partial void LogLinkUnavailable(ILogger logger, string partner, string reason);
}
