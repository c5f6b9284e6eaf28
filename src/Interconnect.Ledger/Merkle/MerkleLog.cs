using System.Numerics;
using System.Runtime.InteropServices;

namespace Interconnect.Ledger.Merkle;

/// <summary>
/// An append-only RFC 9162 Merkle log. It keeps only the hashes of complete subtrees (in an
/// <see cref="IMerkleNodeStore"/>), so an append costs one leaf hash plus one node hash per subtree it
/// completes (amortized two), and a root or proof for any size up to the current one costs O(log n)
/// stored-hash reads and hashes, never a rebuild from the leaves. Not thread-safe: one writer at a
/// time (the node serializes appends to its log), and no reads during an append.
/// </summary>
public sealed class MerkleLog
{
    private readonly IMerkleNodeStore _store;

    /// <summary>Opens the log kept in <paramref name="store"/> at its committed size.</summary>
    public MerkleLog(IMerkleNodeStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Starts an empty log in memory.</summary>
    public MerkleLog()
        : this(new InMemoryMerkleNodeStore())
    {
    }

    /// <summary>The number of leaves.</summary>
    public long Size => _store.Size;

    /// <summary>
    /// Rebuilds a log from its entry hashes in leaf order (the node does this at startup from the
    /// leaves it stores). <paramref name="store"/> must be empty; by default an in-memory one.
    /// </summary>
    public static MerkleLog Load(IEnumerable<Hash256> entryHashes, IMerkleNodeStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(entryHashes);
        store ??= new InMemoryMerkleNodeStore();
        if (store.Size != 0)
        {
            throw new ArgumentException($"A log is loaded into an empty store; this one holds {store.Size} leaves.", nameof(store));
        }

        var log = new MerkleLog(store);
        foreach (var entryHash in entryHashes)
        {
            log.AppendEntry(entryHash);
        }

        return log;
    }

    /// <summary>Appends an Interconnect leaf whose leaf data is the 32-byte entry hash; returns its leaf index.</summary>
    public long AppendEntry(Hash256 entryHash) => AppendLeafData(entryHash.Span);

    /// <summary>Appends a leaf with arbitrary leaf data (hashed as SHA-256(0x00 || data)); returns its leaf index.</summary>
    public long AppendLeafData(ReadOnlySpan<byte> leafData)
    {
        Span<byte> leafHash = stackalloc byte[Hash256.Size];
        MerkleHash.Leaf(leafData, leafHash);
        return AppendLeafHashCore(leafHash);
    }

    /// <summary>Appends a leaf given its leaf hash (already SHA-256(0x00 || data)); returns its leaf index.</summary>
    public long AppendLeafHash(Hash256 leafHash) => AppendLeafHashCore(leafHash.Span);

    /// <summary>The root hash at the current size.</summary>
    public Hash256 Root() => RootAt(Size);

    /// <summary>The root hash the log had when it held <paramref name="treeSize"/> leaves (the empty root for 0).</summary>
    public Hash256 RootAt(long treeSize)
    {
        RequireSize(treeSize, nameof(treeSize));
        if (treeSize == 0)
        {
            return MerkleHash.EmptyRoot;
        }

        var result = new byte[Hash256.Size];
        RangeHash(0, treeSize, result);
        return Hash256.Adopt(result);
    }

    /// <summary>The leaf hash at <paramref name="leafIndex"/>.</summary>
    public Hash256 LeafHash(long leafIndex)
    {
        if (leafIndex < 0 || leafIndex >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"The log holds leaves 0 to {Size - 1}.");
        }

        var result = new byte[Hash256.Size];
        _store.ReadNode(0, leafIndex, result);
        return Hash256.Adopt(result);
    }

    /// <summary>
    /// The RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="leafIndex"/> in the tree of
    /// <paramref name="treeSize"/> leaves, for any size up to the current one.
    /// </summary>
    public InclusionProof ProveInclusion(long leafIndex, long treeSize)
    {
        RequireSize(treeSize, nameof(treeSize));
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"Leaf {leafIndex} is not in a tree of {treeSize} leaves.");
        }

        var path = new Hash256[InclusionProof.ExpectedPathLength(leafIndex, treeSize)];

        // Walk from the root down to the leaf, taking the sibling subtree at each split; the path
        // lists siblings from the leaf up, so it is filled from the end.
        var next = path.Length;
        long lo = 0;
        var hi = treeSize;
        while (hi - lo > 1)
        {
            var split = LargestPowerOfTwoBelow(hi - lo);
            if (leafIndex < lo + split)
            {
                path[--next] = RangeHash(lo + split, hi);
                hi = lo + split;
            }
            else
            {
                path[--next] = RangeHash(lo, lo + split);
                lo += split;
            }
        }

        System.Diagnostics.Debug.Assert(next == 0, "the walk yields exactly the expected path length");
        return new InclusionProof(leafIndex, treeSize, ImmutableCollectionsMarshal.AsImmutableArray(path));
    }

    /// <summary>
    /// The RFC 9162 §2.1.4.1 consistency proof between sizes <paramref name="oldSize"/> and
    /// <paramref name="newSize"/>, 0 &lt; oldSize ≤ newSize ≤ current size. Equal sizes give an empty path.
    /// </summary>
    public ConsistencyProof ProveConsistency(long oldSize, long newSize)
    {
        RequireSize(newSize, nameof(newSize));
        if (oldSize <= 0 || oldSize > newSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(oldSize), oldSize, $"A consistency proof runs from a non-empty tree to one at least as large; {oldSize} to {newSize} given.");
        }

        var path = new Hash256[ConsistencyProof.ExpectedPathLength(oldSize, newSize)];

        // SUBPROOF(m, D[lo:hi], b) of RFC 9162 unrolled: walk down towards the old tree's last leaf,
        // taking the subtree on the other side of each split. "Whole" is b: true while the subtree
        // in hand is still a prefix of the old tree, whose root the verifier already knows.
        var next = path.Length;
        long lo = 0;
        var hi = newSize;
        var whole = true;
        while (oldSize != hi)
        {
            var split = LargestPowerOfTwoBelow(hi - lo);
            if (oldSize - lo <= split)
            {
                path[--next] = RangeHash(lo + split, hi);
                hi = lo + split;
            }
            else
            {
                path[--next] = RangeHash(lo, lo + split);
                lo += split;
                whole = false;
            }
        }

        if (!whole)
        {
            path[--next] = RangeHash(lo, hi);
        }

        System.Diagnostics.Debug.Assert(next == 0, "the walk yields exactly the expected path length");
        return new ConsistencyProof(oldSize, newSize, ImmutableCollectionsMarshal.AsImmutableArray(path));
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n ≥ 2): RFC 9162's split point.</summary>
    internal static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private long AppendLeafHashCore(ReadOnlySpan<byte> leafHash)
    {
        var index = _store.Size;
        Span<byte> node = stackalloc byte[Hash256.Size];
        Span<byte> left = stackalloc byte[Hash256.Size];
        leafHash.CopyTo(node);
        _store.WriteNode(0, index, node);

        // Each odd index closes a perfect subtree with its left sibling; climb while that happens.
        var level = 0;
        var position = index;
        while ((position & 1) == 1)
        {
            _store.ReadNode(level, position - 1, left);
            MerkleHash.Node(left, node, node);
            level++;
            position >>= 1;
            _store.WriteNode(level, position, node);
        }

        _store.CommitSize(index + 1);
        return index;
    }

    private Hash256 RangeHash(long start, long end)
    {
        var result = new byte[Hash256.Size];
        RangeHash(start, end - start, result);
        return Hash256.Adopt(result);
    }

    /// <summary>
    /// MTH of leaves [start, start+count) where start is a multiple of the smallest power of two ≥ count,
    /// as every subtree of an RFC 9162 tree is. Such a range splits into the perfect subtrees given by
    /// the bits of count, largest first, and its hash folds them from the right.
    /// </summary>
    private void RangeHash(long start, long count, Span<byte> destination)
    {
        Span<byte> piece = stackalloc byte[Hash256.Size];
        var first = true;
        var remaining = count;
        while (remaining != 0)
        {
            var level = BitOperations.TrailingZeroCount(remaining);
            remaining &= remaining - 1;

            // This piece follows the larger pieces given by the higher bits of count.
            var pieceStart = start + remaining;
            if (first)
            {
                _store.ReadNode(level, pieceStart >> level, destination);
                first = false;
            }
            else
            {
                _store.ReadNode(level, pieceStart >> level, piece);
                MerkleHash.Node(piece, destination, destination);
            }
        }
    }

    private void RequireSize(long treeSize, string name)
    {
        if (treeSize < 0 || treeSize > Size)
        {
            throw new ArgumentOutOfRangeException(name, treeSize, $"The log holds {Size} leaves.");
        }
    }
}
