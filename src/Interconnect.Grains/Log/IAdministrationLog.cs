using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;

namespace Interconnect.Grains.Log;

/// <summary>
/// The administration's Merkle log over every entry it originates, as one silo uses it: record
/// entries, sign checkpoints, prove inclusion and consistency. In a cluster every silo reaches the one
/// writer (<see cref="INodeLogGrain"/>) through <see cref="ClusterLog"/>; <see cref="NodeLog"/> is
/// the log itself.
/// </summary>
public interface IAdministrationLog
{
    /// <summary>Leaves in the log, as last seen by this silo (for display and metrics; <see cref="SizeAsync"/> asks).</summary>
    long Size { get; }

    /// <summary>
    /// Whether a record failed or was abandoned since the last repair, so an entry may be in its
    /// entity's ledger but not in the log; <see cref="RecordUnloggedAsync"/> repairs it.
    /// </summary>
    bool HasUnloggedEntries { get; }

    /// <summary>Raised after this silo saw entries appended to the log.</summary>
    event EventHandler? Appended;

    /// <summary>Leaves in the log now.</summary>
    Task<long> SizeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the entries' hashes to the log (skipping any already there) and marks the entity as
    /// logged through the last of them. <paramref name="loggedThrough"/> is the entity's stored
    /// logged-through mark when the caller holds it (saving a read), else null.
    /// </summary>
    Task RecordAsync(EntityKey entity, IReadOnlyList<LedgerEntry> entries, ulong? loggedThrough, CancellationToken cancellationToken = default);

    /// <summary>Notes that an entity append's outcome is unknown (the store failed to answer), so a repair must look.</summary>
    void SuspectUnloggedEntries();

    /// <summary>Records every entry its entity's ledger holds but the log does not; returns the entities repaired.</summary>
    Task<int> RecordUnloggedAsync(CancellationToken cancellationToken = default);

    /// <summary>Signs and stores a checkpoint of the log as it stands.</summary>
    Task<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>The inclusion proof of an entry in the tree of <paramref name="treeSize"/> leaves, or null when not logged there.</summary>
    Task<(LogLeaf Leaf, InclusionProof Proof)?> ProveInclusionAsync(Hash256 entryHash, long treeSize, CancellationToken cancellationToken = default);

    /// <summary>The consistency proof between two tree sizes.</summary>
    Task<ConsistencyProof> ProveConsistencyAsync(long oldSize, long newSize, CancellationToken cancellationToken = default);
}

/// <summary>What the log keeps of an entry: its hash and its sequence in its entity's chain.</summary>
/// <param name="Hash">The entry hash (docs/ledger-format.md).</param>
/// <param name="Sequence">The entry's sequence.</param>
[GenerateSerializer, Immutable]
public readonly record struct LoggedEntry([property: Id(0)] Hash256 Hash, [property: Id(1)] ulong Sequence)
{
    /// <summary>The log's record of <paramref name="entry"/>.</summary>
    public static LoggedEntry Of(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Hash, entry.Body.Sequence);
    }
}
