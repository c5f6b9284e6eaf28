namespace Interconnect.Storage.InMemory;

/// <summary>Receipts in memory, one sorted set per entity keyed by (sequence, issuer).</summary>
public sealed class InMemoryReceiptStore : IReceiptStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<EntityKey, SortedDictionary<(ulong Sequence, string Issuer), StoredReceipt>> _receipts = [];

    /// <inheritdoc />
    public Task SaveAsync(StoredReceipt receipt, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckReceipt(receipt);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_receipts.TryGetValue(receipt.Entity, out var forEntity))
            {
                forEntity = new SortedDictionary<(ulong Sequence, string Issuer), StoredReceipt>(ByKey.Instance);
                _receipts[receipt.Entity] = forEntity;
            }

            forEntity[(receipt.Sequence, receipt.Issuer)] = Copy(receipt);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredReceipt>> ListAsync(EntityKey entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredReceipt>>(
                _receipts.TryGetValue(entity, out var forEntity) ? forEntity.Values.Select(Copy).ToArray() : []);
        }
    }

    // Callers get their own copies: a receipt array mutated by a caller must not change what is stored.
    private static StoredReceipt Copy(StoredReceipt receipt) => receipt with { SignedReceipt = (byte[])receipt.SignedReceipt.Clone() };

    private sealed class ByKey : IComparer<(ulong Sequence, string Issuer)>
    {
        public static ByKey Instance { get; } = new();

        public int Compare((ulong Sequence, string Issuer) x, (ulong Sequence, string Issuer) y)
        {
            var bySequence = x.Sequence.CompareTo(y.Sequence);
            return bySequence != 0 ? bySequence : string.CompareOrdinal(x.Issuer, y.Issuer);
        }
    }
}
