using Interconnect.Contracts;
using Interconnect.Grains.Sharing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Storage;
using Orleans.Concurrency;

namespace Interconnect.Node.Replication;

/// <summary>
/// The link to one partner (keyed by the partner's id): its single activation in the administration's
/// cluster is the one sender of our log to that partner, whichever silos come and go.
/// </summary>
public interface IPartnerLinkGrain : IGrainWithStringKey
{
    /// <summary>New leaves may be in the log: send now rather than at the next poll.</summary>
    [AlwaysInterleave]
    Task Wake();

    /// <summary>The partner acknowledged our stream through <paramref name="receivedThrough"/> and holds our checkpoint of <paramref name="checkpointSize"/>.</summary>
    Task Acknowledged(long receivedThrough, long checkpointSize);

    /// <summary>The partner found a gap in our stream: send again from <paramref name="logFrom"/>.</summary>
    Task Rewind(long logFrom);

    /// <summary>Sends the partner the entries of one of our entities it lacks, as far as it may receive them.</summary>
    Task SendEntityRange(string entityKind, string entityId, ulong fromSequence, ulong throughSequence);

    /// <summary>Where the link stands.</summary>
    [AlwaysInterleave]
    Task<PartnerLinkSnapshot> Status();
}

/// <summary>Where a partner link stands.</summary>
/// <param name="Partner">The partner.</param>
/// <param name="Acknowledged">Log leaves the partner acknowledged (the stored cursor).</param>
/// <param name="AcknowledgedAt">When the cursor last moved.</param>
/// <param name="Sent">Log leaves sent.</param>
[GenerateSerializer, Immutable]
public sealed record PartnerLinkSnapshot(
    [property: Id(0)] string Partner,
    [property: Id(1)] long Acknowledged,
    [property: Id(2)] DateTimeOffset? AcknowledgedAt,
    [property: Id(3)] long Sent);

/// <summary>
/// Sends our log to one partner: the ledger is the outbox. A cursor in the grain's state (Orleans
/// grain storage) records the log leaves the partner has acknowledged; after any restart or
/// failover sending resumes from it (an administration upgraded from before it starts from the
/// partners table's row). Each message
/// covers a range of leaves and carries only the entries that the partner may receive, disclosed
/// under the governing MRA's policy, with our latest signed checkpoint and a consistency proof from
/// the last checkpoint the partner holds. Unacknowledged ranges are sent again after a timeout that
/// doubles up to five minutes; receivers drop duplicates. Sending runs in the grain's timer turns,
/// so it never overlaps itself; <see cref="IPartnerLinkGrain.Wake"/> brings the next turn forward.
/// </summary>
[KeepAlive]
internal sealed partial class PartnerLinkGrain(
    [PersistentState("link", NodeSilo.StateStorage)] IPersistentState<PartnerLinkState> cursor,
    AdministrationNode node,
    ReplicationScope scope,
    AgreementBook agreements,
    ClusterChanges changes,
    IPartnerChannel channel,
    ReplicationOptions options,
    Telemetry.NodeTelemetry telemetry,
    ILogger<PartnerLinkGrain> logger) : Grain, IPartnerLinkGrain
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private PartnerLink _link = null!;
    private IGrainTimer _timer = null!;
    private TimeSpan _backoff = FirstBackoff;
    private DateTimeOffset _retryAt;

    private string Partner => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await cursor.ActivateForPartnerAsync(node, Partner, "link to", (c, row) =>
        {
            c.AcknowledgedThrough = Math.Max(c.AcknowledgedThrough, row.AcknowledgedThrough);
            c.AcknowledgedAt ??= row.UpdatedAt;
        }, cancellationToken).ConfigureAwait(true);

        _link = new PartnerLink(Partner, cursor.State.AcknowledgedThrough, cursor.State.AcknowledgedAt, options.ResendAfter);
        // This silo's book may predate agreement entries another silo's link activation already sent past.
        agreements.Invalidate();
        _timer = this.RegisterGrainTimer(SendAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.PollInterval) { KeepAlive = true });
    }

    /// <inheritdoc />
    public Task Wake()
    {
        _timer.Change(TimeSpan.Zero, options.PollInterval);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task Acknowledged(long receivedThrough, long checkpointSize)
    {
        _link.PartnerCheckpointSize = Math.Max(_link.PartnerCheckpointSize, checkpointSize);
        if (receivedThrough <= _link.Acknowledged)
        {
            return;
        }

        // Only forward: a second activation during a membership change may have recorded more.
        var now = node.Time.GetUtcNow();
        await cursor.UpdateAsync(c =>
        {
            if (receivedThrough > c.AcknowledgedThrough)
            {
                c.AcknowledgedThrough = receivedThrough;
                c.AcknowledgedAt = now;
            }
        }).ConfigureAwait(true);
        _link.Acknowledge(cursor.State.AcknowledgedThrough, cursor.State.AcknowledgedAt ?? now);
        await Wake().ConfigureAwait(true);
    }

    /// <inheritdoc />
    public Task Rewind(long logFrom)
    {
        _link.Rewind(logFrom);
        LogRewind(logger, Partner, logFrom);
        return Wake();
    }

    /// <inheritdoc />
    public async Task SendEntityRange(string entityKind, string entityId, ulong fromSequence, ulong throughSequence)
    {
        var entity = new EntityKey(node.Id, entityKind, entityId);
        var count = (int)Math.Min(Math.Max(throughSequence, fromSequence) - fromSequence + 1, StorageLimits.MaxEntriesPerAppend);
        var entries = await node.Store.Entities.ReadAsync(entity, Math.Max(1, fromSequence), count).ConfigureAwait(true);
        var disclosed = new List<WireEntry>(entries.Count);
        var hashes = new List<Ledger.Hash256>(entries.Count);
        long bytes = 0;
        foreach (var entry in entries)
        {
            if (await scope.ForPartnerAsync(entry, Partner, CancellationToken.None).ConfigureAwait(true) is not SharedView.Disclosed view)
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
            LogRangeRefused(logger, Partner, entity.ToString(), fromSequence);
            return;
        }

        using var span = telemetry.StartReplication("replicate range", Partner, hashes);
        await channel.SendAsync(Partner, new ReplicateEntityRange(node.Id, Partner, entityKind, entityId, disclosed), CancellationToken.None).ConfigureAwait(true);
        telemetry.Replicated(Partner, disclosed.Count);
    }

    /// <inheritdoc />
    public Task<PartnerLinkSnapshot> Status() => Task.FromResult(new PartnerLinkSnapshot(Partner, _link.Acknowledged, _link.AcknowledgedAt, _link.Sent));

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        if (node.Time.GetUtcNow() < _retryAt)
        {
            return;
        }

        try
        {
            await SendPendingAsync(cancellationToken).ConfigureAwait(true);
            _backoff = FirstBackoff;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is PartnerUnreachableException or StorageException or HttpRequestException or TimeoutException)
        {
            LogSendFailed(logger, Partner, e.Message);
            _retryAt = node.Time.GetUtcNow() + _backoff;
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private async Task SendPendingAsync(CancellationToken cancellationToken)
    {
        var link = _link;
        var now = node.Time.GetUtcNow();
        if (link.ResendDue(now))
        {
            LogResend(logger, link.Partner, link.Acknowledged, link.Sent);
            link.Rewind(link.Acknowledged);
        }

        var size = await node.Log.SizeAsync(cancellationToken).ConfigureAwait(true);
        var window = (long)options.BatchSize * 20;
        while (link.Sent < size && link.Sent - link.Acknowledged < window)
        {
            var from = link.Sent;
            var leaves = await node.Store.Log.ReadAsync(from, options.BatchSize, cancellationToken).ConfigureAwait(true);
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
                    // Decisions follow the log order: an agreement's own entries change who receives what next,
                    // here and in every silo's decisions on what partners send.
                    await changes.AgreementsChangedAsync().ConfigureAwait(true);
                }

                var stored = await node.Store.Entities.ReadAsync(leaf.Entity, leaf.Sequence, 1, cancellationToken).ConfigureAwait(true);
                if (stored.Count == 1
                    && stored[0].Entry.Hash == leaf.EntryHash
                    && await scope.ForPartnerAsync(stored[0], link.Partner, cancellationToken).ConfigureAwait(true) is SharedView.Disclosed view)
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
                var signed = await node.Log.CheckpointAsync(cancellationToken).ConfigureAwait(true);
                checkpoint = signed.Encode();
                if (proofFrom > 0 && proofFrom < signed.Checkpoint.TreeSize)
                {
                    proof = (await node.Log.ProveConsistencyAsync(proofFrom, signed.Checkpoint.TreeSize, cancellationToken).ConfigureAwait(true)).Encode();
                }

                link.LastCheckpointSent = now;
            }

            await channel.SendAsync(link.Partner, new ReplicateEntries(node.Id, link.Partner, from, through, entries, checkpoint, proof, proofFrom), cancellationToken).ConfigureAwait(true);
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
