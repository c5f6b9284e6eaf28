using Interconnect.Ledger.Checkpoints;
using Interconnect.Node.Hosting;

namespace Interconnect.Node.Replication;

/// <summary>
/// What a partner link grain keeps in Orleans grain storage: how far the partner acknowledged our
/// log (its cursor). Sending resumes from it after any restart or failover.
/// </summary>
[GenerateSerializer]
public sealed class PartnerLinkState
{
    /// <summary>Leaves of our log the partner acknowledged.</summary>
    [Id(0)]
    public long AcknowledgedThrough { get; set; }

    /// <summary>When the cursor last moved.</summary>
    [Id(1)]
    public DateTimeOffset? AcknowledgedAt { get; set; }
}

/// <summary>
/// What a partner's inbound grain keeps in Orleans grain storage: how far we processed the partner's
/// stream (our cursor into its log), and the last checkpoint of its log we accepted.
/// </summary>
[GenerateSerializer]
public sealed class PartnerStreamState
{
    /// <summary>Leaves of the partner's log whose messages we processed.</summary>
    [Id(0)]
    public long ReceivedThrough { get; set; }

    /// <summary>The partner's last signed checkpoint we accepted (encoded), if any.</summary>
    [Id(1)]
    public byte[]? LastCheckpoint { get; set; }

    /// <summary>When the state last changed.</summary>
    [Id(2)]
    public DateTimeOffset? UpdatedAt { get; set; }
}

/// <summary>Where we stand in a partner's stream, as its inbound grain reports it.</summary>
/// <param name="ReceivedThrough">Leaves of the partner's log whose messages we processed.</param>
/// <param name="LastCheckpoint">The partner's last signed checkpoint we accepted (encoded), if any.</param>
[GenerateSerializer, Immutable]
public sealed record PartnerStreamPosition([property: Id(0)] long ReceivedThrough, [property: Id(1)] byte[]? LastCheckpoint)
{
    /// <summary>Tree size of <see cref="LastCheckpoint"/> (0: none).</summary>
    public long CheckpointSize => PartnerStates.CheckpointSize(LastCheckpoint);
}

/// <summary>What handling one message of a partner's stream came to.</summary>
/// <param name="Through">Leaves of the partner's log now processed.</param>
/// <param name="AcceptedCheckpoint">The message's checkpoint when it was accepted (encoded), else null.</param>
/// <param name="Receipts">The signed receipts for the message's entries.</param>
public sealed record ReceivedMessage(long Through, byte[]? AcceptedCheckpoint, IReadOnlyList<byte[]> Receipts);

/// <summary>Readings and updates of the partner states.</summary>
internal static class PartnerStates
{
    /// <summary>Tree size of an encoded signed checkpoint (0: none).</summary>
    public static long CheckpointSize(byte[]? checkpoint) =>
        checkpoint is { } bytes ? SignedCheckpoint.Decode(bytes).Value?.Checkpoint.TreeSize ?? 0 : 0;

    /// <summary>
    /// Activates a partner's grain state: refused for an administration that is no partner (there is
    /// no <paramref name="what"/> it); with no stored state, starts from the <c>partners</c> table's row
    /// of <paramref name="partner"/>, if there is one: a node upgraded from before grain state (ADR 0012).
    /// </summary>
    public static async Task ActivateForPartnerAsync<T>(
        this IPersistentState<T> state, AdministrationNode node, string partner, string what, Action<T, Storage.PartnerState> seed, CancellationToken cancellationToken)
    {
        if (!node.IsPartner(partner))
        {
            throw new InvalidOperationException($"{partner} is not a partner of {node.Id}; there is no {what} it.");
        }

        if (!state.RecordExists && await node.Store.Partners.GetAsync(partner, cancellationToken).ConfigureAwait(true) is { } row)
        {
            await state.UpdateAsync(s => seed(s, row)).ConfigureAwait(true);
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> and writes the state. A second activation during a membership
    /// change may have written first (the storage's ETag refuses the write): then the stored state is
    /// read again and the change applied to it, so <paramref name="change"/> must only move values forward.
    /// </summary>
    public static async Task UpdateAsync<T>(this IPersistentState<T> state, Action<T> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            change(state.State);
            try
            {
                await state.WriteStateAsync().ConfigureAwait(true);
                return;
            }
            catch (Orleans.Storage.InconsistentStateException) when (attempt < 8)
            {
                await state.ReadStateAsync().ConfigureAwait(true);
            }
        }
    }
}

/// <summary>Where this administration stands in its partners' streams.</summary>
public static class PartnerStreams
{
    /// <summary>Where we stand in <paramref name="partner"/>'s stream (its inbound grain's state).</summary>
    public static Task<PartnerStreamPosition> StreamFromAsync(this AdministrationNode node, string partner)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Grains.GetGrain<IPartnerInboundGrain>(partner).Position();
    }
}
