using System.Collections.Concurrent;
using Interconnect.Contracts;
using Interconnect.Grains.Sharing;
using Interconnect.Ledger.Disclosure;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>
/// Sends our log to each partner: the ledger is the outbox. Per partner, a stored cursor records the
/// log leaves the partner has acknowledged; after any restart sending resumes from it. Each message
/// covers a range of leaves and carries only the entries that the partner may receive, disclosed
/// under the governing MRA's policy, with our latest signed checkpoint and a consistency proof from
/// the last checkpoint the partner holds. Unacknowledged ranges are sent again after a timeout
/// that doubles up to five minutes; receivers drop duplicates.
/// </summary>
internal sealed partial class PartnerReplicator(
    AdministrationNode node,
    ReplicationScope scope,
    AgreementBook agreements,
    IPartnerChannel channel,
    ReplicationOptions options,
    Telemetry.NodeTelemetry telemetry,
    ILogger<PartnerReplicator> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, PartnerLink> _links = new(StringComparer.Ordinal);

    /// <summary>The link with <paramref name="partner"/>, or null for a stranger.</summary>
    public PartnerLink? Link(string partner) => _links.GetValueOrDefault(partner);

    /// <summary>Wakes every partner loop (new leaves in the log).</summary>
    public void Notify()
    {
        foreach (var link in _links.Values)
        {
            link.Wake();
        }
    }

    /// <summary>A partner acknowledged our stream through <paramref name="receivedThrough"/> and holds our checkpoint of <paramref name="checkpointSize"/>.</summary>
    public async Task AcknowledgedAsync(string partner, long receivedThrough, long checkpointSize, CancellationToken cancellationToken)
    {
        if (Link(partner) is not { } link)
        {
            return;
        }

        link.PartnerCheckpointSize = Math.Max(link.PartnerCheckpointSize, checkpointSize);
        if (receivedThrough <= link.Acknowledged)
        {
            return;
        }

        // The cursor is compare-and-set: replicas of this node may record acknowledgements concurrently.
        for (var attempt = 0; ; attempt++)
        {
            var stored = await node.Store.Partners.GetAsync(partner, cancellationToken).ConfigureAwait(false);
            if (stored is not null && stored.AcknowledgedThrough >= receivedThrough)
            {
                link.Acknowledge(stored.AcknowledgedThrough, node.Time.GetUtcNow());
                return;
            }

            var next = stored is null
                ? new PartnerState(partner, receivedThrough, null, node.Time.GetUtcNow())
                : stored with { AcknowledgedThrough = receivedThrough, UpdatedAt = node.Time.GetUtcNow() };
            try
            {
                await node.Store.Partners.SaveAsync(next, cancellationToken).ConfigureAwait(false);
                link.Acknowledge(receivedThrough, next.UpdatedAt);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < 8)
            {
            }
        }
    }

    /// <summary>The partner found a gap in our stream: send again from <paramref name="logFrom"/>.</summary>
    public void Rewind(string partner, long logFrom)
    {
        if (Link(partner) is { } link)
        {
            link.Rewind(logFrom);
            LogRewind(logger, partner, logFrom);
        }
    }

    /// <summary>Sends the partner the entries of one of our entities it lacks, as far as it may receive them.</summary>
    public async Task SendEntityRangeAsync(RequestEntityRange request, CancellationToken cancellationToken)
    {
        var entity = new EntityKey(node.Id, request.EntityKind, request.EntityId);
        var count = (int)Math.Min(Math.Max(request.ThroughSequence, request.FromSequence) - request.FromSequence + 1, Storage.StorageLimits.MaxEntriesPerAppend);
        var entries = await node.Store.Entities.ReadAsync(entity, Math.Max(1, request.FromSequence), count, cancellationToken).ConfigureAwait(false);
        var disclosed = new List<WireEntry>(entries.Count);
        var hashes = new List<Ledger.Hash256>(entries.Count);
        long bytes = 0;
        foreach (var entry in entries)
        {
            if (await scope.ForPartnerAsync(entry, request.Requester, cancellationToken).ConfigureAwait(false) is not SharedView.Disclosed view)
            {
                break;
            }

            // Within the partner's message limit; it asks again for what did not fit.
            var wire = WireCodec.ToWire(view.Entry);
            bytes += WireCodec.Size(wire);
            if (disclosed.Count > 0 && bytes > WireCodec.MaxMessageBytes)
            {
                break;
            }

            disclosed.Add(wire);
            hashes.Add(entry.Entry.Hash);
        }

        if (disclosed.Count == 0)
        {
            LogRangeRefused(logger, request.Requester, entity.ToString(), request.FromSequence);
            return;
        }

        using var span = telemetry.StartReplication("replicate range", request.Requester, hashes);
        await channel.SendAsync(request.Requester, new ReplicateEntityRange(node.Id, request.Requester, request.EntityKind, request.EntityId, disclosed), cancellationToken).ConfigureAwait(false);
        telemetry.Replicated(request.Requester, disclosed.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        node.Log.Appended += (_, _) => Notify();
        foreach (var partner in node.Partners)
        {
            var stored = await node.Store.Partners.GetAsync(partner, stoppingToken).ConfigureAwait(false);
            _links[partner] = new PartnerLink(partner, stored?.AcknowledgedThrough ?? 0, stored?.UpdatedAt, options.ResendAfter);
        }

        await Task.WhenAll(_links.Values.Select(link => RunAsync(link, stoppingToken))).ConfigureAwait(false);
    }

    private async Task RunAsync(PartnerLink link, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendPendingAsync(link, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(200);
                await link.WaitAsync(options.PollInterval, node.Time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is PartnerUnreachableException or StorageException or HttpRequestException or TimeoutException)
            {
                LogSendFailed(logger, link.Partner, e.Message);
                await Task.Delay(backoff, node.Time, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task SendPendingAsync(PartnerLink link, CancellationToken cancellationToken)
    {
        var now = node.Time.GetUtcNow();
        if (link.ResendDue(now))
        {
            LogResend(logger, link.Partner, link.Acknowledged, link.Sent);
            link.Rewind(link.Acknowledged);
        }

        var size = await node.Log.SizeAsync(cancellationToken).ConfigureAwait(false);
        var window = (long)options.BatchSize * 20;
        while (link.Sent < size && link.Sent - link.Acknowledged < window)
        {
            var from = link.Sent;
            var leaves = await node.Store.Log.ReadAsync(from, options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (leaves.Count == 0)
            {
                return;
            }

            var entries = new List<WireEntry>();
            var hashes = new List<Ledger.Hash256>();
            long bytes = 0;
            var taken = 0;
            foreach (var leaf in leaves)
            {
                if (leaf.Entity.Kind == Grains.MraAgreements.MraAgreementGrain.EntityKind)
                {
                    // Decisions follow the log order: an agreement's own entries change who receives what next.
                    agreements.Invalidate();
                }

                var stored = await node.Store.Entities.ReadAsync(leaf.Entity, leaf.Sequence, 1, cancellationToken).ConfigureAwait(false);
                if (stored.Count == 1
                    && stored[0].Entry.Hash == leaf.EntryHash
                    && await scope.ForPartnerAsync(stored[0], link.Partner, cancellationToken).ConfigureAwait(false) is SharedView.Disclosed view)
                {
                    // A message stays within what the partner accepts (WireCodec.MaxMessageBytes): the
                    // batch ends before the entry that would take it over, and the rest goes next.
                    var wire = WireCodec.ToWire(view.Entry);
                    bytes += WireCodec.Size(wire);
                    if (entries.Count > 0 && bytes > WireCodec.MaxMessageBytes)
                    {
                        break;
                    }

                    entries.Add(wire);
                    hashes.Add(leaf.EntryHash);
                }

                taken++;
            }

            // The span continues the trace of the command that created the first entry and links the
            // others'; the checkpoint signed for the message is part of it.
            using var span = telemetry.StartReplication("replicate", link.Partner, hashes);
            var through = from + taken;
            span?.SetTag("interconnect.log.from", from).SetTag("interconnect.log.through", through);
            byte[]? checkpoint = null;
            byte[]? proof = null;
            var proofFrom = link.PartnerCheckpointSize;
            if (through >= size || now - link.LastCheckpointSent >= TimeSpan.FromSeconds(1))
            {
                var signed = await node.Log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                checkpoint = signed.Encode();
                if (proofFrom > 0 && proofFrom < signed.Checkpoint.TreeSize)
                {
                    proof = (await node.Log.ProveConsistencyAsync(proofFrom, signed.Checkpoint.TreeSize, cancellationToken).ConfigureAwait(false)).Encode();
                }

                link.LastCheckpointSent = now;
            }

            await channel.SendAsync(link.Partner, new ReplicateEntries(node.Id, link.Partner, from, through, entries, checkpoint, proof, proofFrom), cancellationToken).ConfigureAwait(false);
            telemetry.Replicated(link.Partner, entries.Count);
            link.Sent = through;
            link.SentAt = now;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication to {Partner} failed, retrying: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string partner, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partner} has not acknowledged leaves {Acknowledged} to {Sent}; sending them again")]
    private static partial void LogResend(ILogger logger, string partner, long acknowledged, long sent);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partner} asked for our stream again from leaf {LogFrom}")]
    private static partial void LogRewind(ILogger logger, string partner, long logFrom);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partner} asked for {Entity} from {FromSequence}, which it may not receive")]
    private static partial void LogRangeRefused(ILogger logger, string partner, string entity, ulong fromSequence);
}

/// <summary>The sending state of one partner link (in memory; the acknowledged cursor is also stored).</summary>
internal sealed class PartnerLink(string partner, long acknowledged, DateTimeOffset? acknowledgedAt, TimeSpan resendAfter)
{
    private readonly object _sync = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _initialResendAfter = resendAfter;
    private TimeSpan _resendAfter = resendAfter;

    public string Partner { get; } = partner;

    /// <summary>Leaves the partner acknowledged (the cursor).</summary>
    public long Acknowledged { get; private set; } = acknowledged;

    public DateTimeOffset? AcknowledgedAt { get; private set; } = acknowledgedAt;

    /// <summary>Leaves sent (at least <see cref="Acknowledged"/>).</summary>
    public long Sent { get; set; } = acknowledged;

    public DateTimeOffset SentAt { get; set; }

    public DateTimeOffset LastCheckpointSent { get; set; }

    /// <summary>Tree size of our last checkpoint the partner said it holds.</summary>
    public long PartnerCheckpointSize { get; set; }

    public void Acknowledge(long through, DateTimeOffset at)
    {
        lock (_sync)
        {
            if (through > Acknowledged)
            {
                Acknowledged = through;
                AcknowledgedAt = at;
                _resendAfter = _initialResendAfter;
            }

            if (Sent < Acknowledged)
            {
                Sent = Acknowledged;
            }
        }

        Wake();
    }

    public void Rewind(long logFrom)
    {
        lock (_sync)
        {
            Sent = Math.Min(Sent, Math.Max(0, logFrom));
        }

        Wake();
    }

    /// <summary>
    /// Whether sent leaves have waited too long for an acknowledgement; doubles the wait each time.
    /// The wait runs from the later of the last send and the last acknowledgement that moved the
    /// cursor: a partner working through a backlog is slow, not deaf, and sending it everything
    /// again would only make it verify the same entries twice.
    /// </summary>
    public bool ResendDue(DateTimeOffset now)
    {
        lock (_sync)
        {
            var since = AcknowledgedAt is { } acknowledgedAt && acknowledgedAt > SentAt ? acknowledgedAt : SentAt;
            if (Sent <= Acknowledged || now - since < _resendAfter)
            {
                return false;
            }

            _resendAfter = TimeSpan.FromTicks(Math.Min(_resendAfter.Ticks * 2, TimeSpan.FromMinutes(5).Ticks));
            return true;
        }
    }

    public void Wake()
    {
        lock (_sync)
        {
            _wake.TrySetResult();
        }
    }

    public async Task WaitAsync(TimeSpan poll, TimeProvider time, CancellationToken cancellationToken)
    {
        Task wake;
        lock (_sync)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return;
            }

            wake = _wake.Task;
        }

        await Task.WhenAny(wake, Task.Delay(poll, time, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
