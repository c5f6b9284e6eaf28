using System.Buffers;
using System.Security.Cryptography;

namespace Interconnect.Ledger.Merkle;

/// <summary>
/// RFC 9162 (RFC 6962) tree hashing with SHA-256: the empty tree, leaves (0x00 prefix) and interior
/// nodes (0x01 prefix). The prefixes keep a leaf from ever being passed off as a node, and back.
/// </summary>
public static class MerkleHash
{
    /// <summary>The prefix byte of a leaf hash input.</summary>
    public const byte LeafPrefix = 0x00;

    /// <summary>The prefix byte of an interior node hash input.</summary>
    public const byte NodePrefix = 0x01;

    // Leaf inputs up to this size are hashed from the stack; larger ones borrow a pooled buffer.
    private const int StackLimit = 256;

    /// <summary>The root of the empty tree: SHA-256 of no bytes (e3b0c442...b855).</summary>
    public static Hash256 EmptyRoot { get; } = Hash256.Of([]);

    /// <summary>SHA-256(0x00 || <paramref name="leafData"/>): the hash of one leaf.</summary>
    public static Hash256 Leaf(ReadOnlySpan<byte> leafData)
    {
        var result = new byte[Hash256.Size];
        Leaf(leafData, result);
        return Hash256.Adopt(result);
    }

    /// <summary>
    /// The leaf hash of an Interconnect log leaf, whose leaf data is the 32-byte entry hash:
    /// SHA-256(0x00 || entryHash).
    /// </summary>
    public static Hash256 EntryLeaf(Hash256 entryHash) => Leaf(entryHash.Span);

    /// <summary>SHA-256(0x01 || <paramref name="left"/> || <paramref name="right"/>): an interior node.</summary>
    public static Hash256 Node(Hash256 left, Hash256 right)
    {
        var result = new byte[Hash256.Size];
        Node(left.Span, right.Span, result);
        return Hash256.Adopt(result);
    }

    /// <summary>Writes the leaf hash of <paramref name="leafData"/> into <paramref name="destination"/> (32 bytes).</summary>
    internal static void Leaf(ReadOnlySpan<byte> leafData, Span<byte> destination)
    {
        var length = leafData.Length + 1;
        byte[]? rented = null;
        Span<byte> input = length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            input[0] = LeafPrefix;
            leafData.CopyTo(input[1..]);
            SHA256.HashData(input[..length], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Writes SHA-256(0x01 || left || right) into <paramref name="destination"/>, which may overlap
    /// either input (they are copied first).
    /// </summary>
    internal static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + (2 * Hash256.Size)];
        input[0] = NodePrefix;
        left.CopyTo(input.Slice(1, Hash256.Size));
        right.CopyTo(input.Slice(1 + Hash256.Size, Hash256.Size));
        SHA256.HashData(input, destination);
    }
}
