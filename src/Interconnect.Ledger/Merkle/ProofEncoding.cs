using System.Collections.Immutable;
using System.Numerics;

using Interconnect.Ledger.Encoding;

namespace Interconnect.Ledger.Merkle;

/// <summary>The pieces shared by the two proof encodings and their path-length rules.</summary>
internal static class ProofEncoding
{
    /// <summary>Most hashes a proof path can carry: the count is one byte.</summary>
    public const int MaxPathLength = byte.MaxValue;

    /// <summary>RFC 9162 inclusion path length: the levels where the leaf's path and the tree's right edge part, plus the right-edge nodes above them.</summary>
    public static int InclusionPathLength(long leafIndex, long treeSize)
    {
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(leafIndex ^ (treeSize - 1)));
        var border = BitOperations.PopCount((ulong)leafIndex >> inner);
        return inner + border;
    }

    /// <summary>RFC 9162 consistency path length for 0 &lt; oldSize ≤ newSize.</summary>
    public static int ConsistencyPathLength(long oldSize, long newSize)
    {
        if (oldSize == newSize)
        {
            return 0;
        }

        // The proof is the inclusion path of the old tree's last leaf, minus the levels inside the
        // old tree's rightmost perfect subtree, plus that subtree's own hash unless it is the whole
        // old tree (the verifier then already has it as the old root).
        var last = oldSize - 1;
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(last ^ (newSize - 1)));
        var border = BitOperations.PopCount((ulong)last >> inner);
        var shift = BitOperations.TrailingZeroCount(oldSize);
        var seed = BitOperations.IsPow2(oldSize) ? 0 : 1;
        return seed + (inner - shift) + border;
    }

    public static void WritePath(CanonicalWriter writer, ImmutableArray<Hash256> path)
    {
        writer.U8((byte)path.Length);
        foreach (var hash in path)
        {
            writer.Hash(hash);
        }
    }

    /// <summary>Reads a u64 size or index; the format allows up to 2^63 - 1 so that it fits a signed 64-bit integer everywhere.</summary>
    public static long ReadSize(ref CanonicalReader reader, string field)
    {
        var value = reader.U64(field);
        if (value > long.MaxValue)
        {
            throw new LedgerFormatException($"The {field} {value} exceeds 2^63 - 1.");
        }

        return (long)value;
    }

    public static ImmutableArray<Hash256> ReadPath(ref CanonicalReader reader, int count)
    {
        var path = new Hash256[count];
        for (var i = 0; i < path.Length; i++)
        {
            path[i] = reader.Hash($"path hash {i}");
        }

        return System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(path);
    }

    public static LedgerFormatException CountMismatch(string what, int expected, int actual) =>
        new(new FormatError(FormatErrorKind.LengthOutOfRange, $"{what} carries {actual} hashes; its sizes call for {expected}."));

    public static ImmutableArray<Hash256> RequirePath(ImmutableArray<Hash256> path)
    {
        if (path.IsDefault)
        {
            throw new ArgumentException("The path must be an initialized array (it may be empty).", nameof(path));
        }

        if (path.Length > MaxPathLength)
        {
            throw new ArgumentException($"A proof path holds at most {MaxPathLength} hashes; {path.Length} given.", nameof(path));
        }

        return path;
    }

    public static bool PathEquals(ImmutableArray<Hash256> a, ImmutableArray<Hash256> b) => a.AsSpan().SequenceEqual(b.AsSpan());

    public static int PathHashCode(ImmutableArray<Hash256> path)
    {
        var hash = new HashCode();
        foreach (var h in path)
        {
            hash.Add(h);
        }

        return hash.ToHashCode();
    }
}
