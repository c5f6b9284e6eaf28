using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;

namespace Interconnect.Grains.Tests.Runtime;

/// <summary>Concurrent records share conditional log appends, and every entry is still logged exactly once, in order.</summary>
public sealed class NodeLogGroupCommitTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();
    private readonly InMemoryNodeStore _store = new();

    [Fact]
    public async Task RecordAsync_CallersQueuedBehindAnAppend_ShareAppendsInCallOrder()
    {
        // Arrange: the first caller's append is held, so everyone after it queues.
        var gated = new GatedLogStore(_store.Log);
        using var log = new NodeLog("NL", gated, _store.Entities, _signer, TimeProvider.System);
        var appended = 0;
        log.Appended += (_, _) => Interlocked.Increment(ref appended);
        var chains = new List<(EntityKey Entity, IReadOnlyList<DisclosedEntry> Entries)>();
        for (var i = 0; i < 40; i++)
        {
            chains.Add(await ChainAsync($"NLAEOF{i:D7}", i == 0 ? 1 : 3));
        }

        gated.Hold();
        var leader = log.RecordAsync(chains[0].Entity, Entries(chains[0].Entries), 0);
        await gated.WaitUntilHeldAsync();

        // Act
        var followers = chains.Skip(1).Select(c => log.RecordAsync(c.Entity, Entries(c.Entries), 0)).ToList();
        gated.Release();
        await leader;
        await Task.WhenAll(followers);

        // Assert: 1 + 39 * 3 = 118 leaves in 1 + 3 appends (49, 49, 19), in the order the calls were made.
        var expected = chains.SelectMany(c => c.Entries.Select(e => e.Entry.Hash)).ToList();
        var leaves = await _store.Log.ReadAsync(0, 1000);
        Assert.Equal(expected, leaves.Select(l => l.EntryHash));
        Assert.Equal(Enumerable.Range(0, expected.Count).Select(i => (long)i), leaves.Select(l => l.Index));
        Assert.Equal([1, 49, 49, 19], gated.AppendSizes);
        Assert.Equal(expected.Count, log.Size);
        Assert.Equal(chains.Count, appended);
        foreach (var (entity, entries) in chains)
        {
            Assert.Equal((ulong)entries.Count, (await _store.Entities.GetHeadAsync(entity))!.LoggedThrough);
        }

        var checkpoint = await log.CheckpointAsync();
        Assert.Equal(MerkleLog.Load(expected).Root(), checkpoint.Checkpoint.RootHash);
    }

    [Fact]
    public async Task RecordAsync_TwoReplicasWithManyCallersAndOverlappingRecords_LogEachEntryOnceInSequenceOrder()
    {
        // Arrange: both replicas record every shared entity (as two recoveries would) and their own.
        using var replicaA = new NodeLog("NL", _store.Log, _store.Entities, _signer, TimeProvider.System);
        using var replicaB = new NodeLog("NL", _store.Log, _store.Entities, _signer, TimeProvider.System);
        var shared = new List<(EntityKey Entity, IReadOnlyList<DisclosedEntry> Entries)>();
        var own = new List<(NodeLog Log, EntityKey Entity, IReadOnlyList<DisclosedEntry> Entries)>();
        for (var i = 0; i < 20; i++)
        {
            shared.Add(await ChainAsync($"NLAEOS{i:D7}", 4));
            var ofA = await ChainAsync($"NLAEOA{i:D7}", 2);
            var ofB = await ChainAsync($"NLAEOB{i:D7}", 2);
            own.Add((replicaA, ofA.Entity, ofA.Entries));
            own.Add((replicaB, ofB.Entity, ofB.Entries));
        }

        // Act
        var calls = shared.SelectMany(c => new[] { (replicaA, c.Entity, c.Entries), (replicaB, c.Entity, c.Entries) })
            .Concat(own)
            .Select(c => Task.Run(() => c.Item1.RecordAsync(c.Entity, Entries(c.Entries), 0)));
        await Task.WhenAll(calls);

        // Assert
        var all = shared.Select(c => c.Entries).Concat(own.Select(c => c.Entries)).SelectMany(e => e).ToList();
        var leaves = await _store.Log.ReadAsync(0, 1000);
        Assert.Equal(all.Count, leaves.Count);
        Assert.Equal(all.Select(e => e.Entry.Hash).Order(HashOrder.Instance), leaves.Select(l => l.EntryHash).Order(HashOrder.Instance));
        foreach (var entity in leaves.GroupBy(l => l.Entity))
        {
            Assert.Equal(entity.Select(l => l.Sequence).Order(), entity.Select(l => l.Sequence));
            Assert.Equal((ulong)entity.Count(), (await _store.Entities.GetHeadAsync(entity.Key))!.LoggedThrough);
        }

        var a = await replicaA.CheckpointAsync();
        var b = await replicaB.CheckpointAsync();
        Assert.Equal(all.Count, a.Checkpoint.TreeSize);
        Assert.Equal(a.Checkpoint.RootHash, b.Checkpoint.RootHash);
        Assert.Equal(MerkleLog.Load(leaves.Select(l => l.EntryHash)).Root(), a.Checkpoint.RootHash);
    }

    [Fact]
    public async Task RecordAsync_SomeEntriesLoggedMeanwhileByAnotherReplica_AppendsOnlyTheRest()
    {
        // Arrange: replica B logs entry 1; replica A, which has not seen it, records entries 1 to 3.
        var (entity, entries) = await ChainAsync("NLAEOF0000001", 3);
        using var replicaA = new NodeLog("NL", _store.Log, _store.Entities, _signer, TimeProvider.System);
        using var replicaB = new NodeLog("NL", _store.Log, _store.Entities, _signer, TimeProvider.System);
        await replicaB.RecordAsync(entity, Entries(entries.Take(1).ToList()), 0);

        // Act: A's first append conflicts (the log grew), its second is refused as a duplicate.
        await replicaA.RecordAsync(entity, Entries(entries), 0);

        // Assert
        Assert.Equal(entries.Select(e => e.Entry.Hash), (await _store.Log.ReadAsync(0, 10)).Select(l => l.EntryHash));
        Assert.Equal(3, replicaA.Size);
        Assert.Equal(3UL, (await _store.Entities.GetHeadAsync(entity))!.LoggedThrough);
    }

    [Fact]
    public async Task StartAsync_MoreUnloggedEntriesThanOneLogAppendHolds_RecoversThemAllInOrder()
    {
        // Arrange: a replica appended 130 entries (more than one log append's 49 leaves) and crashed.
        var (entity, entries) = await ChainAsync("NLAEOF0000130", 130);
        using var log = new NodeLog("NL", _store.Log, _store.Entities, _signer, TimeProvider.System);

        // Act
        await log.StartAsync();

        // Assert
        Assert.Equal(entries.Select(e => e.Entry.Hash), (await _store.Log.ReadAsync(0, 1000)).Select(l => l.EntryHash));
        Assert.Equal(130UL, (await _store.Entities.GetHeadAsync(entity))!.LoggedThrough);
        Assert.Empty(await ToListAsync(_store.Entities.FindUnloggedAsync("NL")));
    }

    [Fact]
    public async Task RecordAsync_CallerCancelledWhileQueued_IsWithdrawnAndOthersStillCommit()
    {
        var gated = new GatedLogStore(_store.Log);
        using var log = new NodeLog("NL", gated, _store.Entities, _signer, TimeProvider.System);
        var first = await ChainAsync("NLAEOF0000001", 1);
        var withdrawn = await ChainAsync("NLAEOF0000002", 1);
        var third = await ChainAsync("NLAEOF0000003", 1);
        gated.Hold();
        var leader = log.RecordAsync(first.Entity, Entries(first.Entries), 0);
        await gated.WaitUntilHeldAsync();
        using var cancel = new CancellationTokenSource();

        var cancelled = log.RecordAsync(withdrawn.Entity, Entries(withdrawn.Entries), 0, cancel.Token);
        var other = log.RecordAsync(third.Entity, Entries(third.Entries), 0);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gated.Release();
        await Task.WhenAll(leader, other);

        Assert.Equal(
            [first.Entries[0].Entry.Hash, third.Entries[0].Entry.Hash],
            (await _store.Log.ReadAsync(0, 10)).Select(l => l.EntryHash));
        Assert.Equal(0UL, (await _store.Entities.GetHeadAsync(withdrawn.Entity))!.LoggedThrough);
        await log.RecordAsync(withdrawn.Entity, Entries(withdrawn.Entries), 0);
        Assert.Equal(3, log.Size);
    }

    [Fact]
    public async Task RecordAsync_StoreFailsDuringASharedAppend_EveryCallerInItSeesTheFailureAndNothingIsLogged()
    {
        var gated = new GatedLogStore(_store.Log);
        using var log = new NodeLog("NL", gated, _store.Entities, _signer, TimeProvider.System);
        var first = await ChainAsync("NLAEOF0000001", 1);
        var second = await ChainAsync("NLAEOF0000002", 1);
        var third = await ChainAsync("NLAEOF0000003", 1);
        gated.Hold();
        var leader = log.RecordAsync(first.Entity, Entries(first.Entries), 0);
        await gated.WaitUntilHeldAsync();
        var followers = new[] { log.RecordAsync(second.Entity, Entries(second.Entries), 0), log.RecordAsync(third.Entity, Entries(third.Entries), 0) };

        gated.FailNext(new StorageException("The table service is unavailable."));
        gated.Release();
        await leader;

        Assert.All(await Task.WhenAll(followers.Select(f => Record.ExceptionAsync(() => f))), e => Assert.IsType<StorageException>(e));
        Assert.Equal(1, await _store.Log.GetSizeAsync());
        Assert.Equal(0UL, (await _store.Entities.GetHeadAsync(second.Entity))!.LoggedThrough);
        await log.RecordAsync(second.Entity, Entries(second.Entries), 0);
        await log.RecordAsync(third.Entity, Entries(third.Entries), 0);
        Assert.Equal(3, await _store.Log.GetSizeAsync());
    }

    public void Dispose() => _signer.Dispose();

    [Fact]
    public async Task RecordUnloggedAsync_AfterTheLogAppendFailed_RecordsWhatTheLedgerHoldsAndTheLogLacks()
    {
        // Arrange: the entity's ledger took the entry, then storage failed on the log's append.
        var gated = new GatedLogStore(_store.Log);
        using var log = new NodeLog("NL", gated, _store.Entities, _signer, TimeProvider.System);
        var (entity, entries) = await ChainAsync("NLAEOF0000001", 1);
        gated.FailNext(new StorageException("The table service is unavailable."));
        await Assert.ThrowsAsync<StorageException>(() => log.RecordAsync(entity, Entries(entries), 0));
        Assert.True(log.HasUnloggedEntries);
        Assert.Equal(0, log.Size);

        // Act
        var repaired = await log.RecordUnloggedAsync();

        // Assert
        Assert.Equal(1, repaired);
        Assert.False(log.HasUnloggedEntries);
        Assert.Equal([entries[0].Entry.Hash], (await _store.Log.ReadAsync(0, 10)).Select(l => l.EntryHash));
        Assert.Equal(1UL, (await _store.Entities.GetHeadAsync(entity))!.LoggedThrough);
    }

    [Fact]
    public async Task RecordUnloggedAsync_WhileStorageIsStillAway_KeepsTheSuspicionForTheNextRound()
    {
        var gated = new GatedLogStore(_store.Log);
        using var log = new NodeLog("NL", gated, _store.Entities, _signer, TimeProvider.System);
        var (entity, entries) = await ChainAsync("NLAEOF0000002", 1);
        gated.FailNext(new StorageException("The table service is unavailable."));
        await Assert.ThrowsAsync<StorageException>(() => log.RecordAsync(entity, Entries(entries), 0));

        gated.FailNext(new StorageException("Still unavailable."));
        await Assert.ThrowsAsync<StorageException>(() => log.RecordUnloggedAsync());

        Assert.True(log.HasUnloggedEntries);
        Assert.Equal(1, await log.RecordUnloggedAsync());
        Assert.Equal(1, log.Size);
    }

    private static List<LedgerEntry> Entries(IReadOnlyList<DisclosedEntry> entries) => entries.Select(e => e.Entry).ToList();

    private async Task<(EntityKey Entity, IReadOnlyList<DisclosedEntry> Entries)> ChainAsync(string id, int count)
    {
        var entity = new EntityKey("NL", "aeo-operator", id);
        var entries = new List<DisclosedEntry>();
        for (var i = 0; i < count; i++)
        {
            var payload = SealedPayload.Seal(new Dictionary<string, string> { ["status"] = i % 2 == 0 ? "certified" : "suspended" });
            var body = new EntryBody(
                "NL", entity.Kind, id, (ulong)i + 1, i == 0 ? Hash256.Zero : entries[^1].Entry.Hash, Start.AddSeconds(i),
                "aeo.updated", payload.Commitments, _signer.KeyId, _signer.Algorithm);
            entries.Add(new DisclosedEntry(LedgerEntry.Sign(body, _signer), payload.Fields));
        }

        for (var i = 0; i < entries.Count; i += StorageLimits.MaxEntriesPerAppend)
        {
            await _store.Entities.AppendAsync(entity, (ulong)i, entries.Skip(i).Take(StorageLimits.MaxEntriesPerAppend).ToList());
        }

        return (entity, entries);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    private sealed class HashOrder : IComparer<Hash256>
    {
        public static readonly HashOrder Instance = new();

        public int Compare(Hash256 x, Hash256 y) => x.Span.SequenceCompareTo(y.Span);
    }

    /// <summary>A log store whose appends a test can hold at the door, fail once, and count.</summary>
    private sealed class GatedLogStore(IMerkleLogStore inner) : IMerkleLogStore
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource? _open;
        private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _failNext;

        public List<int> AppendSizes { get; } = [];

        public void Hold()
        {
            lock (_gate)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public Task WaitUntilHeldAsync() => _held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release()
        {
            TaskCompletionSource? open;
            lock (_gate)
            {
                (open, _open) = (_open, null);
            }

            open?.TrySetResult();
        }

        public void FailNext(Exception failure)
        {
            lock (_gate)
            {
                _failNext = failure;
            }
        }

        public async Task AppendAsync(long expectedSize, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken = default)
        {
            // A held append goes through when released; a failure is for the first append not held.
            Task? wait;
            Exception? failure = null;
            lock (_gate)
            {
                wait = _open?.Task;
                if (wait is null)
                {
                    (failure, _failNext) = (_failNext, null);
                }
            }

            if (failure is not null)
            {
                throw failure;
            }

            if (wait is not null)
            {
                _held.TrySetResult();
                await wait.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            await inner.AppendAsync(expectedSize, leaves, cancellationToken);
            lock (_gate)
            {
                AppendSizes.Add(leaves.Count);
            }
        }

        public Task<long> GetSizeAsync(CancellationToken cancellationToken = default) => inner.GetSizeAsync(cancellationToken);

        public Task<IReadOnlyList<LogLeaf>> ReadAsync(long from, int maxCount, CancellationToken cancellationToken = default) => inner.ReadAsync(from, maxCount, cancellationToken);

        public Task<LogLeaf?> FindAsync(Hash256 entryHash, CancellationToken cancellationToken = default) => inner.FindAsync(entryHash, cancellationToken);

        public Task SaveCheckpointAsync(long treeSize, byte[] signedCheckpoint, CancellationToken cancellationToken = default) => inner.SaveCheckpointAsync(treeSize, signedCheckpoint, cancellationToken);

        public Task<byte[]?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default) => inner.GetLatestCheckpointAsync(cancellationToken);

        public Task<byte[]?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken = default) => inner.GetCheckpointAsync(treeSize, cancellationToken);
    }
}
