using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Receipts;

namespace Interconnect.Storage;

/// <summary>
/// Entity ledgers: each entity's signed entries with the fields this node holds in the clear (all of
/// them for its own entities, the disclosed ones for a partner's). Appends are atomic and
/// conflict-checked, so two replicas of one node can never fork a chain.
/// </summary>
public interface IEntityLedgerStore
{
    /// <summary>The chain's tip, or null when the entity has no entries.</summary>
    Task<EntityHead?> GetHeadAsync(EntityKey entity, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> entries from <paramref name="fromSequence"/> on, in order.</summary>
    Task<IReadOnlyList<DisclosedEntry>> ReadAsync(EntityKey entity, ulong fromSequence, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends entries atomically (all or none). <paramref name="expectedLastSequence"/> is the
    /// sequence of the current last entry (0 for a new entity); the entries must continue from it.
    /// Throws <see cref="ConcurrencyConflictException"/> when another writer got there first.
    /// </summary>
    Task<EntityHead> AppendAsync(EntityKey entity, ulong expectedLastSequence, IReadOnlyList<DisclosedEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Records that entries up to <paramref name="sequence"/> are in the Merkle log. Never moves backwards.</summary>
    Task MarkLoggedAsync(EntityKey entity, ulong sequence, CancellationToken cancellationToken = default);

    /// <summary>Entities of <paramref name="origin"/> with entries not yet in the Merkle log (crash recovery).</summary>
    IAsyncEnumerable<EntityKey> FindUnloggedAsync(string origin, CancellationToken cancellationToken = default);

    /// <summary>Entities of one origin and kind, ordered by id.</summary>
    IAsyncEnumerable<EntityKey> ListAsync(string origin, string kind, CancellationToken cancellationToken = default);
}

/// <summary>A leaf of the node's Merkle log: the entry hash and where the entry lives.</summary>
/// <param name="Index">Leaf index, from 0.</param>
/// <param name="EntryHash">The entry hash (the leaf's input).</param>
/// <param name="Entity">The entity the entry belongs to.</param>
/// <param name="Sequence">The entry's sequence in that entity.</param>
public sealed record LogLeaf(long Index, Hash256 EntryHash, EntityKey Entity, ulong Sequence);

/// <summary>
/// The node's append-only Merkle log over every entry it originates, and its signed checkpoints.
/// The log's leaf order is also the replication order (the ledger is the outbox).
/// </summary>
public interface IMerkleLogStore
{
    /// <summary>Number of leaves.</summary>
    Task<long> GetSizeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends leaves at <paramref name="expectedSize"/> atomically; their indexes must run from it.
    /// Throws <see cref="ConcurrencyConflictException"/> when the log has grown meanwhile, and
    /// <see cref="EntryAlreadyLoggedException"/> (appending nothing) when a leaf's entry hash is already logged.
    /// </summary>
    Task AppendAsync(long expectedSize, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> leaves from index <paramref name="from"/>, in order.</summary>
    Task<IReadOnlyList<LogLeaf>> ReadAsync(long from, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The leaf holding <paramref name="entryHash"/>, or null.</summary>
    Task<LogLeaf?> FindAsync(Hash256 entryHash, CancellationToken cancellationToken = default);

    /// <summary>Stores a signed checkpoint (encoded bytes) for <paramref name="treeSize"/>; idempotent for equal bytes.</summary>
    Task SaveCheckpointAsync(long treeSize, byte[] signedCheckpoint, CancellationToken cancellationToken = default);

    /// <summary>The checkpoint with the largest tree size, or null.</summary>
    Task<byte[]?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>The checkpoint for exactly <paramref name="treeSize"/>, or null.</summary>
    Task<byte[]?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken = default);
}

/// <summary>Replication state for one partner link, versioned for compare-and-set.</summary>
/// <param name="Partner">The partner administration.</param>
/// <param name="AcknowledgedThrough">Leaf count of our log that the partner has acknowledged (its cursor).</param>
/// <param name="LastCheckpoint">The last signed checkpoint received from the partner (encoded), if any.</param>
/// <param name="UpdatedAt">When the state last changed.</param>
/// <param name="Version">Opaque version (ETag); null for a state not read from the store.</param>
public sealed record PartnerState(string Partner, long AcknowledgedThrough, byte[]? LastCheckpoint, DateTimeOffset UpdatedAt, string? Version = null)
{
    /// <summary>
    /// Leaf count of the partner's log up to which we have processed its replication stream (our
    /// cursor into theirs); 0 when nothing has been processed. Saved under the same compare-and-set.
    /// </summary>
    public long ReceivedThrough { get; init; }
}

/// <summary>Per-partner replication cursors and the last checkpoint seen from each partner.</summary>
public interface IPartnerStateStore
{
    /// <summary>The partner's state, or null when never saved.</summary>
    Task<PartnerState?> GetAsync(string partner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="state"/> if the stored version still equals <c>state.Version</c> (null: must not exist).
    /// Returns the saved state with its new version; throws <see cref="ConcurrencyConflictException"/> otherwise.
    /// </summary>
    Task<PartnerState> SaveAsync(PartnerState state, CancellationToken cancellationToken = default);

    /// <summary>Every partner with saved state.</summary>
    Task<IReadOnlyList<PartnerState>> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>A partner's signed receipt for one entry, as stored, with the fields it is found by.</summary>
/// <param name="Entity">The entity of the entry the receipt is about.</param>
/// <param name="Sequence">The entry's sequence in that entity, from 1.</param>
/// <param name="EntryHash">The entry hash the receipt names.</param>
/// <param name="Issuer">The administration that issued and signed the receipt.</param>
/// <param name="Verdict">The receipt's verdict.</param>
/// <param name="SignedReceipt">The signed receipt's wire form (<see cref="Ledger.Receipts.SignedReceipt.Encode"/>).</param>
/// <param name="ReceivedAt">When this node received it.</param>
public sealed record StoredReceipt(EntityKey Entity, ulong Sequence, Hash256 EntryHash, string Issuer, ReceiptVerdict Verdict, byte[] SignedReceipt, DateTimeOffset ReceivedAt);

/// <summary>
/// Receipts partners returned for entries: the latest one from each issuer for each entry. A later
/// receipt replaces an earlier one (an endorsement after a rejection that was retried, a business
/// verdict after an endorsement), so the store answers "what does each partner say now".
/// </summary>
public interface IReceiptStore
{
    /// <summary>Saves <paramref name="receipt"/>, replacing any earlier one for the same entity, sequence and issuer.</summary>
    Task SaveAsync(StoredReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>Every receipt stored for <paramref name="entity"/>, ordered by sequence, then issuer (ordinal).</summary>
    Task<IReadOnlyList<StoredReceipt>> ListAsync(EntityKey entity, CancellationToken cancellationToken = default);
}

/// <summary>Everything one administration's node persists, from one provider.</summary>
public interface INodeStore
{
    /// <summary>Entity ledgers (own and received).</summary>
    IEntityLedgerStore Entities { get; }

    /// <summary>The node's Merkle log and checkpoints.</summary>
    IMerkleLogStore Log { get; }

    /// <summary>Per-partner replication state.</summary>
    IPartnerStateStore Partners { get; }

    /// <summary>Receipts partners returned for entries.</summary>
    IReceiptStore Receipts { get; }

    /// <summary>Creates tables or containers if absent; checks the store answers (readiness).</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}
