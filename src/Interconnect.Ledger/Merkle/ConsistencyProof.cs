using System.Collections.Immutable;

using Interconnect.Ledger.Encoding;

namespace Interconnect.Ledger.Merkle;

/// <summary>
/// An RFC 9162 consistency proof: the hashes that show the tree of <see cref="OldSize"/> leaves is a
/// prefix of the tree of <see cref="NewSize"/> leaves. Building one checks only shapes; whether it
/// proves anything is for <see cref="MerkleVerifier"/>.
/// </summary>
public sealed record ConsistencyProof
{
    /// <summary>The domain-separation tag of the encoding.</summary>
    public const string DomainTag = "interconnect/consistency-proof";

    /// <summary>The encoding's format version.</summary>
    public const byte Version = 1;

    /// <summary>Creates a proof; sizes must not be negative and the path has at most 255 hashes.</summary>
    public ConsistencyProof(long oldSize, long newSize, ImmutableArray<Hash256> path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfNegative(newSize);
        OldSize = oldSize;
        NewSize = newSize;
        Path = ProofEncoding.RequirePath(path);
    }

    /// <summary>The size of the earlier tree.</summary>
    public long OldSize { get; }

    /// <summary>The size of the later tree.</summary>
    public long NewSize { get; }

    /// <summary>The proof hashes in RFC 9162 order (deepest first).</summary>
    public ImmutableArray<Hash256> Path { get; }

    /// <summary>The number of hashes a valid proof for these sizes carries (requires 0 &lt; oldSize ≤ newSize; 0 when equal).</summary>
    public static int ExpectedPathLength(long oldSize, long newSize)
    {
        if (oldSize <= 0 || oldSize > newSize)
        {
            throw new ArgumentOutOfRangeException(nameof(oldSize), oldSize, $"Consistency proofs run from a non-empty tree to one at least as large; {oldSize} to {newSize} given.");
        }

        return ProofEncoding.ConsistencyPathLength(oldSize, newSize);
    }

    /// <summary>
    /// The encoding: Domain("interconnect/consistency-proof"), u8 version 1, u64 old size, u64 new size,
    /// u8 hash count, then the hashes (32 bytes each).
    /// </summary>
    public byte[] Encode()
    {
        var writer = new CanonicalWriter(DomainTag.Length + 1 + 1 + 8 + 8 + 1 + (Path.Length * Hash256.Size))
            .Domain(DomainTag).U8(Version).U64((ulong)OldSize).U64((ulong)NewSize);
        ProofEncoding.WritePath(writer, Path);
        return writer.ToArray();
    }

    /// <summary>
    /// Decodes <see cref="Encode"/>'s output with typed errors; refuses an empty old tree, an old size
    /// above the new one, and a hash count the sizes do not call for.
    /// </summary>
    public static Decoded<ConsistencyProof> Decode(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        return Decoder.Run(() =>
        {
            var reader = new CanonicalReader(copy);
            reader.Domain(DomainTag);
            reader.Version(Version, "Consistency proof");
            var oldSize = ProofEncoding.ReadSize(ref reader, "old size");
            var newSize = ProofEncoding.ReadSize(ref reader, "new size");
            var count = reader.U8("hash count");
            if (oldSize == 0)
            {
                throw new LedgerFormatException("A consistency proof starts from a non-empty tree; old size 0 given.");
            }

            if (oldSize > newSize)
            {
                throw new LedgerFormatException($"The old size {oldSize} exceeds the new size {newSize}.");
            }

            var expected = ProofEncoding.ConsistencyPathLength(oldSize, newSize);
            if (count != expected)
            {
                throw ProofEncoding.CountMismatch($"The consistency proof from {oldSize} to {newSize}", expected, count);
            }

            var path = ProofEncoding.ReadPath(ref reader, count);
            reader.ExpectEnd("Consistency proof");
            return new ConsistencyProof(oldSize, newSize, path);
        });
    }

    /// <inheritdoc />
    public bool Equals(ConsistencyProof? other) =>
        other is not null && OldSize == other.OldSize && NewSize == other.NewSize && ProofEncoding.PathEquals(Path, other.Path);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(OldSize, NewSize, ProofEncoding.PathHashCode(Path));

    /// <inheritdoc />
    public override string ToString() => $"consistency from {OldSize} to {NewSize} ({Path.Length} hashes)";
}
