namespace Interconnect.Storage.InMemory;

/// <summary>
/// A node store held in process memory: for the embedded demo mode and fast tests. Thread-safe;
/// appends are atomic and conflict-checked exactly like the durable providers. Two instances never
/// share data; share one instance to model several replicas of one node.
/// </summary>
public sealed class InMemoryNodeStore : INodeStore
{
    /// <inheritdoc />
    public IEntityLedgerStore Entities { get; } = new InMemoryEntityLedgerStore();

    /// <inheritdoc />
    public IMerkleLogStore Log { get; } = new InMemoryMerkleLogStore();

    /// <inheritdoc />
    public IPartnerStateStore Partners { get; } = new InMemoryPartnerStateStore();

    /// <inheritdoc />
    public IReceiptStore Receipts { get; } = new InMemoryReceiptStore();

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
