using System.Collections.Immutable;

using Interconnect.Ledger.Encoding;

namespace Interconnect.Ledger.Merkle;

/// <summary>
/// An RFC 9162 inclusion proof: the sibling hashes, from the leaf up, that link leaf
/// <see cref="LeafIndex"/> to the root of the tree of <see cref="TreeSize"/> leaves.
/// Building one checks only shapes; whether it proves anything is for <see cref="MerkleVerifier"/>.
/// </summary>
public sealed record InclusionProof
{
    /// <summary>The domain-separation tag of the encoding.</summary>
    public const string DomainTag = "interconnect/inclusion-proof";

    /// <summary>The encoding's format version.</summary>
    public const byte Version = 1;

    /// <summary>Creates a proof; sizes must not be negative and the path has at most 255 hashes.</summary>
    public InclusionProof(long leafIndex, long treeSize, ImmutableArray<Hash256> path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        LeafIndex = leafIndex;
        TreeSize = treeSize;
        Path = ProofEncoding.RequirePath(path);
    }

    /// <summary>The index of the proven leaf, from 0.</summary>
    public long LeafIndex { get; }

    /// <summary>The number of leaves in the tree whose root the proof leads to.</summary>
    public long TreeSize { get; }

    /// <summary>The sibling hashes, nearest the leaf first.</summary>
    public ImmutableArray<Hash256> Path { get; }

    /// <summary>The number of hashes a valid proof for these values carries (requires 0 ≤ leafIndex &lt; treeSize).</summary>
    public static int ExpectedPathLength(long leafIndex, long treeSize)
    {
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"Leaf {leafIndex} is not in a tree of {treeSize} leaves.");
        }

        return ProofEncoding.InclusionPathLength(leafIndex, treeSize);
    }

    /// <summary>
    /// The encoding: Domain("interconnect/inclusion-proof"), u8 version 1, u64 leaf index, u64 tree size,
    /// u8 hash count, then the hashes (32 bytes each).
    /// </summary>
    public byte[] Encode()
    {
        var writer = new CanonicalWriter(DomainTag.Length + 1 + 1 + 8 + 8 + 1 + (Path.Length * Hash256.Size))
            .Domain(DomainTag).U8(Version).U64((ulong)LeafIndex).U64((ulong)TreeSize);
        ProofEncoding.WritePath(writer, Path);
        return writer.ToArray();
    }

    /// <summary>Decodes <see cref="Encode"/>'s output with typed errors; refuses a leaf outside the tree and a hash count the sizes do not call for.</summary>
    public static Decoded<InclusionProof> Decode(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        return Decoder.Run(() =>
        {
            var reader = new CanonicalReader(copy);
            reader.Domain(DomainTag);
            reader.Version(Version, "Inclusion proof");
            var leafIndex = ProofEncoding.ReadSize(ref reader, "leaf index");
            var treeSize = ProofEncoding.ReadSize(ref reader, "tree size");
            var count = reader.U8("hash count");
            if (leafIndex >= treeSize)
            {
                throw new LedgerFormatException($"Leaf index {leafIndex} is not in a tree of {treeSize} leaves.");
            }

            var expected = ProofEncoding.InclusionPathLength(leafIndex, treeSize);
            if (count != expected)
            {
                throw ProofEncoding.CountMismatch($"The inclusion proof of leaf {leafIndex} in a tree of {treeSize}", expected, count);
            }

            var path = ProofEncoding.ReadPath(ref reader, count);
            reader.ExpectEnd("Inclusion proof");
            return new InclusionProof(leafIndex, treeSize, path);
        });
    }

    /// <inheritdoc />
    public bool Equals(InclusionProof? other) =>
        other is not null && LeafIndex == other.LeafIndex && TreeSize == other.TreeSize && ProofEncoding.PathEquals(Path, other.Path);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(LeafIndex, TreeSize, ProofEncoding.PathHashCode(Path));

    /// <inheritdoc />
    public override string ToString() => $"inclusion of leaf {LeafIndex} in {TreeSize} ({Path.Length} hashes)";
}
