using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Checkpoints;

/// <summary>
/// A statement by an administration about its Merkle log: at <see cref="Timestamp"/> the log held
/// <see cref="TreeSize"/> leaves with root <see cref="RootHash"/>. Validated on construction.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>Builds and validates a checkpoint; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public Checkpoint(string origin, long treeSize, Hash256 rootHash, DateTimeOffset timestamp)
    {
        Identifier.Require(origin, "origin administration");
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);

        // The empty tree has exactly one root; a checkpoint claiming another is wrong, not a fork.
        if (treeSize == 0 && rootHash != MerkleHash.EmptyRoot)
        {
            throw new ArgumentException($"A checkpoint of the empty log carries the empty root {MerkleHash.EmptyRoot}; {rootHash} given.", nameof(rootHash));
        }

        Origin = origin;
        TreeSize = treeSize;
        RootHash = rootHash;
        TimestampMicros = EntryBody.ToMicros(timestamp);
    }

    /// <summary>The administration whose log this is.</summary>
    public string Origin { get; }

    /// <summary>The number of leaves in the log.</summary>
    public long TreeSize { get; }

    /// <summary>The log's RFC 9162 root hash at that size.</summary>
    public Hash256 RootHash { get; }

    /// <summary>When the checkpoint was made, in microseconds since 1970-01-01T00:00:00Z.</summary>
    public long TimestampMicros { get; }

    /// <summary>When the checkpoint was made (microsecond precision, UTC).</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampMicros * 10);

    /// <inheritdoc />
    public override string ToString() => $"{Origin} size {TreeSize} root {RootHash} at {Timestamp:O}";
}
