using Interconnect.Ledger;

namespace Interconnect.Storage.InMemory;

/// <summary>The node's Merkle log leaves and checkpoints in memory.</summary>
public sealed class InMemoryMerkleLogStore : IMerkleLogStore
{
    private readonly Lock _gate = new();
    private readonly List<LogLeaf> _leaves = [];
    private readonly Dictionary<Hash256, LogLeaf> _byHash = [];
    private readonly SortedDictionary<long, byte[]> _checkpoints = [];

    /// <inheritdoc />
    public Task<long> GetSizeAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult((long)_leaves.Count);
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(long expectedSize, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckLogAppend(expectedSize, leaves);
        lock (_gate)
        {
            if (_leaves.Count != expectedSize)
            {
                throw new ConcurrencyConflictException($"The log holds {_leaves.Count} leaves, not {expectedSize}; another writer appended first.");
            }

            // One index lookup per leaf: add, and take the additions back if one is already logged.
            for (var i = 0; i < leaves.Count; i++)
            {
                if (!_byHash.TryAdd(leaves[i].EntryHash, leaves[i]))
                {
                    var existing = _byHash[leaves[i].EntryHash];
                    for (var j = 0; j < i; j++)
                    {
                        _byHash.Remove(leaves[j].EntryHash);
                    }

                    throw new EntryAlreadyLoggedException($"Entry hash {leaves[i].EntryHash} is already logged at leaf {existing.Index}.", nameof(leaves));
                }
            }

            _leaves.AddRange(leaves);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LogLeaf>> ReadAsync(long from, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        StoreInputRules.CheckMaxCount(maxCount);
        lock (_gate)
        {
            if (from >= _leaves.Count)
            {
                return Task.FromResult<IReadOnlyList<LogLeaf>>([]);
            }

            var count = (int)Math.Min(maxCount, _leaves.Count - from);
            return Task.FromResult<IReadOnlyList<LogLeaf>>(_leaves.GetRange((int)from, count).ToArray());
        }
    }

    /// <inheritdoc />
    public Task<LogLeaf?> FindAsync(Hash256 entryHash, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_byHash.TryGetValue(entryHash, out var leaf) ? leaf : null);
        }
    }

    /// <inheritdoc />
    public Task SaveCheckpointAsync(long treeSize, byte[] signedCheckpoint, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckCheckpoint(treeSize, signedCheckpoint);
        lock (_gate)
        {
            if (_checkpoints.TryGetValue(treeSize, out var existing))
            {
                if (!existing.AsSpan().SequenceEqual(signedCheckpoint))
                {
                    throw new ConcurrencyConflictException($"A different checkpoint for tree size {treeSize} is already stored.");
                }

                return Task.CompletedTask;
            }

            _checkpoints[treeSize] = (byte[])signedCheckpoint.Clone();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoints.Count == 0 ? null : (byte[]?)_checkpoints.Last().Value.Clone());
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoints.TryGetValue(treeSize, out var bytes) ? (byte[]?)bytes.Clone() : null);
        }
    }
}
