namespace Interconnect.Ledger.Merkle;

/// <summary>
/// Where a <see cref="MerkleLog"/> keeps the hashes of its complete (perfect) subtrees. The node at
/// (level, index) is the root of the perfect subtree over leaves [index·2^level, (index+1)·2^level);
/// level 0 holds the leaf hashes. A node exists once the log has all of its leaves, and never changes
/// after that. Synchronous on purpose: appends and proofs read a few dozen hashes and must stay cheap.
/// </summary>
public interface IMerkleNodeStore
{
    /// <summary>The committed number of leaves. Nodes beyond it may exist (an append in progress) but are not part of the log.</summary>
    long Size { get; }

    /// <summary>Copies the 32-byte hash at (<paramref name="level"/>, <paramref name="index"/>) into <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidOperationException">The node has not been written.</exception>
    void ReadNode(int level, long index, Span<byte> destination);

    /// <summary>
    /// Stores the hash of node (<paramref name="level"/>, <paramref name="index"/>). Nodes of a level are written in
    /// index order. Writing an existing node again with the same bytes is allowed (an append replayed
    /// after a crash); different bytes are refused, never overwritten.
    /// </summary>
    void WriteNode(int level, long index, ReadOnlySpan<byte> hash);

    /// <summary>
    /// Makes <paramref name="size"/> the committed size, after every node it needs has been written.
    /// The size never decreases.
    /// </summary>
    void CommitSize(long size);
}
