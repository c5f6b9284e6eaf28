using Interconnect.Grains.Log;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;

namespace Interconnect.Grains.Runtime;

/// <summary>What every grain of one administration's node shares: who we are, our key, storage, log and clock.</summary>
/// <param name="AdministrationId">This administration's id (the origin of every entry we sign).</param>
/// <param name="Signer">The signing key; a <see cref="KeySets.NodeSigner"/> follows the node's key set (rotation, revocation).</param>
/// <param name="Store">The node's storage.</param>
/// <param name="Log">The node's Merkle log over the entries it originates (in a cluster, its one grain).</param>
/// <param name="Time">The clock.</param>
public sealed record AdministrationContext(string AdministrationId, ISigner Signer, INodeStore Store, IAdministrationLog Log, TimeProvider Time)
{
    /// <summary>How many times a command is re-decided after a concurrent append before giving up.</summary>
    public int MaxConflictRetries { get; init; } = 8;

    /// <summary>
    /// Partners' verification keys, for checking entries they signed that we record as proof (an MRA
    /// acceptance). Null when this node knows no partner keys yet; such proofs are then refused.
    /// </summary>
    public IKeyResolver? PartnerKeys { get; init; }

    /// <summary>This silo's activations of the entity grains (for metrics and tests).</summary>
    public GrainActivations Activations { get; } = new();
}

/// <summary>Counts one silo's entity-grain activations: created since start, and in memory now.</summary>
public sealed class GrainActivations
{
    private long _created;
    private long _active;

    /// <summary>Activations created since start.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Activations in memory now.</summary>
    public long Active => Interlocked.Read(ref _active);

    internal void Activated()
    {
        Interlocked.Increment(ref _created);
        Interlocked.Increment(ref _active);
    }

    internal void Deactivated() => Interlocked.Decrement(ref _active);
}
