using Interconnect.Ledger.Checkpoints;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>Readings of a stored partner state.</summary>
internal static class PartnerStates
{
    /// <summary>Tree size of the partner's last checkpoint we accepted (0: none).</summary>
    public static long HeldCheckpointSize(this PartnerState? state) =>
        state?.LastCheckpoint is { } bytes ? SignedCheckpoint.Decode(bytes).Value?.Checkpoint.TreeSize ?? 0 : 0;
}
