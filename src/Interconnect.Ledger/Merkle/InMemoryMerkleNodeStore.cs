namespace Interconnect.Ledger.Merkle;

/// <summary>
/// A compact in-memory <see cref="IMerkleNodeStore"/>: per level, a list of chunks of 32-byte slots.
/// About 64 bytes per leaf in all (32 for the leaf, 32 for the levels above), no object per node,
/// and growing never copies more than one chunk. Not thread-safe: the owning log serializes access.
/// </summary>
public sealed class InMemoryMerkleNodeStore : IMerkleNodeStore
{
    // 2048 slots × 32 bytes = 64 KiB: under the large-object-heap threshold, so chunks are cheap to
    // allocate and collect, and a level grows by adding chunks instead of copying one huge array.
    private const int ChunkShift = 11;
    private const int ChunkSlots = 1 << ChunkShift;
    private const int ChunkMask = ChunkSlots - 1;

    // The first chunk of a level starts small and doubles up to a full chunk, so small logs
    // (and the upper levels of large ones) do not hold 64 KiB per level.
    private const int FirstChunkSlots = 4;

    private const int MaxLevels = 64;

    private readonly List<byte[]>[] _levels = new List<byte[]>[MaxLevels];
    private readonly long[] _counts = new long[MaxLevels];

    /// <inheritdoc />
    public long Size { get; private set; }

    /// <summary>Bytes held in node slots (allocated capacity), for memory accounting.</summary>
    public long AllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (var level in _levels)
            {
                if (level is null)
                {
                    continue;
                }

                foreach (var chunk in level)
                {
                    total += chunk.Length;
                }
            }

            return total;
        }
    }

    /// <inheritdoc />
    public void ReadNode(int level, long index, Span<byte> destination)
    {
        if ((uint)level >= MaxLevels || index < 0 || index >= _counts[level])
        {
            throw new InvalidOperationException($"Merkle node ({level}, {index}) has not been written.");
        }

        Slot(level, index).CopyTo(destination);
    }

    /// <inheritdoc />
    public void WriteNode(int level, long index, ReadOnlySpan<byte> hash)
    {
        if ((uint)level >= MaxLevels)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"Levels run from 0 to {MaxLevels - 1}.");
        }

        if (hash.Length != Hash256.Size)
        {
            throw new ArgumentException($"A node hash is {Hash256.Size} bytes; {hash.Length} given.", nameof(hash));
        }

        var count = _counts[level];
        if (index < count)
        {
            if (!Slot(level, index).SequenceEqual(hash))
            {
                throw new InvalidOperationException($"Merkle node ({level}, {index}) is already stored with a different hash; nodes never change.");
            }

            return;
        }

        if (index != count)
        {
            throw new InvalidOperationException($"Merkle node ({level}, {count}) is the next to write at level {level}; ({level}, {index}) given.");
        }

        var chunks = _levels[level] ??= [];
        var chunkIndex = (int)(index >> ChunkShift);
        var slot = (int)(index & ChunkMask);
        if (chunkIndex == chunks.Count)
        {
            chunks.Add(new byte[(chunkIndex == 0 ? FirstChunkSlots : ChunkSlots) * Hash256.Size]);
        }
        else if ((slot + 1) * Hash256.Size > chunks[chunkIndex].Length)
        {
            var grown = chunks[chunkIndex];
            Array.Resize(ref grown, Math.Min(grown.Length * 2, ChunkSlots * Hash256.Size));
            chunks[chunkIndex] = grown;
        }

        hash.CopyTo(chunks[chunkIndex].AsSpan(slot * Hash256.Size, Hash256.Size));
        _counts[level] = count + 1;
    }

    /// <inheritdoc />
    public void CommitSize(long size)
    {
        if (size < Size)
        {
            throw new InvalidOperationException($"The log never shrinks: size {Size}, {size} given.");
        }

        if (size > _counts[0])
        {
            throw new InvalidOperationException($"Size {size} committed but only {_counts[0]} leaf hashes are stored.");
        }

        Size = size;
    }

    private Span<byte> Slot(int level, long index) =>
        _levels[level][(int)(index >> ChunkShift)].AsSpan((int)(index & ChunkMask) * Hash256.Size, Hash256.Size);
}
