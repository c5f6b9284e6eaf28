using System.Text.Json;
using Interconnect.Contracts;
using Interconnect.Grains.Log;
using Interconnect.Node.Hosting;
using Orleans.Concurrency;

namespace Interconnect.Node.Replication;

/// <summary>
/// What one partner sends us (keyed by the partner's id), handled one message at a time across the
/// whole cluster: every silo consumes the administration's inbound queue, and hands each message to
/// the one activation of its origin's inbound grain, so a partner's stream applies in its log order
/// as it did on one process.
/// </summary>
public interface IPartnerInboundGrain : IGrainWithStringKey
{
    /// <summary>A log-ordered message of the partner's stream.</summary>
    Task Receive(ReplicateEntries message);

    /// <summary>Entries of one entity, sent to fill a gap.</summary>
    Task ReceiveRange(ReplicateEntityRange message);

    /// <summary>Where we stand in the partner's stream.</summary>
    [AlwaysInterleave]
    Task<PartnerStreamPosition> Position();
}

/// <summary>
/// The grain behind <see cref="IPartnerInboundGrain"/>. Silos take messages off the queue
/// concurrently, so the next message of a stream may reach the grain before the one it follows: it
/// is held (at most <see cref="MaxHeld"/>) and applied once its predecessor has been, instead of being
/// dropped and sent again. A message still held after <see cref="GapAfter"/> (its predecessor lost)
/// makes the grain ask the partner for the stream again. Held messages live in memory only: if the
/// silo dies the partner's unacknowledged range is sent again, as after any loss. Where the stream
/// stands (and the partner's last checkpoint we accepted) is the grain's state in Orleans grain
/// storage; an administration upgraded from before it starts from the partners table's row.
/// </summary>
internal sealed partial class PartnerInboundGrain(
    [PersistentState("stream", NodeSilo.StateStorage)] IPersistentState<PartnerStreamState> state,
    AdministrationNode node,
    InboundReceiver receiver,
    TimeProvider time,
    ILogger<PartnerInboundGrain> logger) : Grain, IPartnerInboundGrain
{
    /// <summary>The most messages held ahead of the stream.</summary>
    public const int MaxHeld = 64;

    /// <summary>How long a held message waits for its predecessor before the gap is asked for.</summary>
    public static readonly TimeSpan GapAfter = TimeSpan.FromSeconds(2);

    private readonly SortedList<long, ReplicateEntries> _held = [];
    private DateTimeOffset _heldSince;
    private IGrainTimer? _gapCheck;

    private string Partner => this.GetPrimaryKeyString();

    private PartnerStreamPosition Current => new(state.State.ReceivedThrough, state.State.LastCheckpoint);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await state.ActivateForPartnerAsync(node, Partner, "stream from", (s, row) =>
        {
            s.ReceivedThrough = Math.Max(s.ReceivedThrough, row.ReceivedThrough);
            s.LastCheckpoint ??= row.LastCheckpoint;
            s.UpdatedAt = row.UpdatedAt;
        }, cancellationToken).ConfigureAwait(true);
    }

    public Task<PartnerStreamPosition> Position() => Task.FromResult(Current);

    public async Task Receive(ReplicateEntries message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!await ApplyAsync(message).ConfigureAwait(true))
        {
            Hold(message);
            return;
        }

        // Each applied message may let held ones follow, in stream order.
        while (_held.Count > 0)
        {
            var next = _held.Values[0];
            if (!await ApplyAsync(next).ConfigureAwait(true))
            {
                break;
            }

            _held.RemoveAt(0);
            _heldSince = time.GetUtcNow();
        }
    }

    public async Task ReceiveRange(ReplicateEntityRange message)
    {
        var receipts = await receiver.ReceiveRangeAsync(message, CancellationToken.None).ConfigureAwait(true);
        await receiver.AcknowledgeAsync(Partner, Current, receipts, CancellationToken.None).ConfigureAwait(true);
    }

    // Applies a message that follows what the stream holds (false: it is ahead), stores the new
    // position, then acknowledges: an acknowledgement never claims more than is stored.
    private async Task<bool> ApplyAsync(ReplicateEntries message)
    {
        if (await receiver.ReceiveAsync(message, Current, CancellationToken.None).ConfigureAwait(true) is not { } received)
        {
            return false;
        }

        var now = time.GetUtcNow();
        await state.UpdateAsync(s =>
        {
            s.ReceivedThrough = Math.Max(s.ReceivedThrough, received.Through);
            s.LastCheckpoint = received.AcceptedCheckpoint ?? s.LastCheckpoint;
            s.UpdatedAt = now;
        }).ConfigureAwait(true);
        await receiver.AcknowledgeAsync(Partner, Current, received.Receipts, CancellationToken.None).ConfigureAwait(true);
        return true;
    }

    private void Hold(ReplicateEntries message)
    {
        if (_held.Count == 0)
        {
            _heldSince = time.GetUtcNow();
        }

        if (_held.Count >= MaxHeld && !_held.ContainsKey(message.LogFrom))
        {
            // Far ahead: the partner sends the rest again once we have caught up and asked.
            LogDropped(logger, Partner, message.LogFrom, MaxHeld);
            return;
        }

        _held[message.LogFrom] = message;
        _gapCheck ??= this.RegisterGrainTimer(CheckGapAsync, new GrainTimerCreationOptions(GapAfter, GapAfter));
    }

    private async Task CheckGapAsync(CancellationToken cancellationToken)
    {
        if (_held.Count == 0 || time.GetUtcNow() - _heldSince < GapAfter)
        {
            return;
        }

        // The predecessor of what we hold is not coming: ask for the stream again; the held messages
        // are sent again with it.
        _held.Clear();
        await receiver.RequestStreamGapAsync(Partner, state.State.ReceivedThrough, cancellationToken).ConfigureAwait(true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A message of {Partner}'s stream from leaf {LogFrom} is far ahead ({Held} held already); it will be sent again")]
    private static partial void LogDropped(ILogger logger, string partner, long logFrom, int held);
}

/// <summary>
/// How a partner's message crosses a grain call between silos: its JSON, as on the wire between
/// administrations (the contracts are MassTransit's and carry no Orleans attributes).
/// </summary>
[GenerateSerializer, Immutable]
public readonly struct PartnerMessageSurrogate
{
    /// <summary>The message as JSON.</summary>
    [Id(0)]
    public byte[] Json { get; init; }
}

/// <summary>Converts <see cref="ReplicateEntries"/> and <see cref="ReplicateEntityRange"/>.</summary>
[RegisterConverter]
public sealed class PartnerMessageConverter :
    IConverter<ReplicateEntries, PartnerMessageSurrogate>,
    IConverter<ReplicateEntityRange, PartnerMessageSurrogate>
{
    /// <inheritdoc />
    public ReplicateEntries ConvertFromSurrogate(in PartnerMessageSurrogate surrogate) => FromJson<ReplicateEntries>(surrogate);

    /// <inheritdoc />
    public PartnerMessageSurrogate ConvertToSurrogate(in ReplicateEntries value) => new() { Json = JsonSerializer.SerializeToUtf8Bytes(value) };

    /// <inheritdoc />
    ReplicateEntityRange IConverter<ReplicateEntityRange, PartnerMessageSurrogate>.ConvertFromSurrogate(in PartnerMessageSurrogate surrogate) =>
        FromJson<ReplicateEntityRange>(surrogate);

    /// <inheritdoc />
    public PartnerMessageSurrogate ConvertToSurrogate(in ReplicateEntityRange value) => new() { Json = JsonSerializer.SerializeToUtf8Bytes(value) };

    private static T FromJson<T>(PartnerMessageSurrogate surrogate) =>
        JsonSerializer.Deserialize<T>(surrogate.Json) ?? throw new InvalidOperationException($"A {typeof(T).Name} on a grain call is empty.");
}

/// <summary>Messages are immutable: calls within a silo share them.</summary>
[RegisterCopier]
public sealed class ReplicateEntriesCopier : ImmutableCopier<ReplicateEntries>;

/// <summary>Messages are immutable: calls within a silo share them.</summary>
[RegisterCopier]
public sealed class ReplicateEntityRangeCopier : ImmutableCopier<ReplicateEntityRange>;
