using System.Globalization;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Receipts;

namespace Interconnect.Storage.Conformance;

/// <summary>
/// The storage conformance suite: every provider's test project subclasses this and supplies fresh,
/// isolated stores. The same facts hold for every provider, so the node behaves the same on each.
/// </summary>
public abstract class NodeStoreConformance : IAsyncLifetime, IDisposable
{
    private const string Origin = "GB";
    private const string Kind = "aeo-operator";

    /// <summary>Builds signed entries for the tests.</summary>
    protected TestLedger Ledger { get; } = new();

    /// <summary>A fresh, initialized store that shares no data with any other test.</summary>
    protected abstract Task<INodeStore> CreateStoreAsync();

    /// <summary>Another instance over the same data as <paramref name="store"/>: a second replica of one node.</summary>
    protected abstract Task<INodeStore> OpenReplicaAsync(INodeStore store);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        Ledger.Dispose();
        GC.SuppressFinalize(this);
    }

    private static EntityKey Entity(string id = "GB-AEO-0001") => new(Origin, Kind, id);

    private async Task<(INodeStore Store, IReadOnlyList<DisclosedEntry> Entries)> StoreWithChainAsync(int count, EntityKey? entity = null)
    {
        var store = await CreateStoreAsync();
        entity ??= Entity();
        var entries = Ledger.Chain(entity, count);
        await store.Entities.AppendAsync(entity, 0, entries);
        return (store, entries);
    }

    // ---- entity ledgers -------------------------------------------------------------------

    [Fact]
    public async Task Append_then_read_returns_identical_entry_bytes_and_fields_whose_signatures_verify()
    {
        var (store, entries) = await StoreWithChainAsync(3);

        var read = await store.Entities.ReadAsync(Entity(), 1, 10);

        EntryAssert.Same(entries, read);
        var verification = ChainVerifier.Verify(EntryAssert.Entries(read), Ledger.Keys(Origin));
        Assert.Null(verification.Fault);
        Assert.Equal(3, verification.Verified);
    }

    [Fact]
    public async Task Append_returns_and_stores_the_new_head()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.Entities.GetHeadAsync(Entity()));
        var first = Ledger.Chain(Entity(), 2);

        var head = await store.Entities.AppendAsync(Entity(), 0, first);
        var more = Ledger.Chain(Entity(), 3, first[^1]);
        var head2 = await store.Entities.AppendAsync(Entity(), 2, more);

        Assert.Equal(new EntityHead(2, first[^1].Entry.Hash, 0), head);
        Assert.Equal(new EntityHead(5, more[^1].Entry.Hash, 0), head2);
        Assert.Equal(head2, await store.Entities.GetHeadAsync(Entity()));
    }

    [Fact]
    public async Task Append_with_a_stale_expected_sequence_throws_a_conflict()
    {
        var (store, entries) = await StoreWithChainAsync(2);
        var forkAtStart = Ledger.Chain(Entity(), 1);
        var next = Ledger.Chain(Entity(), 1, entries[^1]);
        var ahead = Ledger.Chain(Entity(), 1, Ledger.Chain(Entity(), 4)[^1]);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Entities.AppendAsync(Entity(), 0, forkAtStart));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Entities.AppendAsync(Entity(), 4, ahead));
        Assert.Equal(3UL, (await store.Entities.AppendAsync(Entity(), 2, next)).LastSequence);
    }

    [Fact]
    public async Task Append_to_a_new_entity_with_a_nonzero_expected_sequence_conflicts()
    {
        var store = await CreateStoreAsync();
        var entries = Ledger.Chain(Entity(), 3);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Entities.AppendAsync(Entity(), 2, entries.Skip(2).ToArray()));
        Assert.Null(await store.Entities.GetHeadAsync(Entity()));
    }

    [Fact]
    public async Task A_failed_append_changes_nothing()
    {
        var (store, entries) = await StoreWithChainAsync(2);
        var headBefore = await store.Entities.GetHeadAsync(Entity());
        var valid = Ledger.Chain(Entity(), 3, entries[^1]);
        var brokenLink = Ledger.Chain(Entity(), 3, Ledger.Chain(Entity(), 2)[^1]);
        var tamperedLast = valid.Take(2).Append(TestLedger.Tampered(valid[2])).ToArray();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Entities.AppendAsync(Entity(), 0, Ledger.Chain(Entity(), 2)));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 2, brokenLink));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 2, tamperedLast));

        Assert.Equal(headBefore, await store.Entities.GetHeadAsync(Entity()));
        EntryAssert.Same(entries, await store.Entities.ReadAsync(Entity(), 1, 100));
    }

    [Fact]
    public async Task Fields_sealed_in_this_process_are_refused_once_they_no_longer_match_their_digests()
    {
        // The store may skip hashing fields sealed through SealedFields; every way of changing such
        // a field after sealing must still be caught, exactly as for fields built by hand.
        var store = await CreateStoreAsync();
        var entity = Entity("GB-AEO-SEALED");
        var valueChanged = Ledger.NextSealedHere(entity, null);
        valueChanged = valueChanged with { Fields = valueChanged.Fields.SetItem(1, valueChanged.Fields[1] with { Value = "suspended" }) };
        var saltMutated = Ledger.NextSealedHere(entity, null);
        saltMutated.Fields[0].Salt[0] ^= 0x01;
        var other = Ledger.NextSealedHere(entity, null, [new("aeo.name", "Other Exports Ltd"), new("aeo.status", "certified"), new("aeo.update", "1")]);
        var swapped = Ledger.NextSealedHere(entity, null);
        swapped = swapped with { Fields = swapped.Fields.SetItem(0, other.Fields[0]) };
        var twice = Ledger.NextSealedHere(entity, null);
        twice = twice with { Fields = [twice.Fields[0], twice.Fields[0], .. twice.Fields.Skip(1)] };
        var intact = Ledger.NextSealedHere(entity, null);

        var refusals = new List<ArgumentException>();
        foreach (var bad in new[] { valueChanged, saltMutated, swapped, twice })
        {
            refusals.Add(await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(entity, 0, [bad])));
        }

        Assert.Null(await store.Entities.GetHeadAsync(entity));
        Assert.Contains("hashes to", refusals[0].Message, StringComparison.Ordinal);
        Assert.Contains("hashes to", refusals[1].Message, StringComparison.Ordinal);
        Assert.Contains("hashes to", refusals[2].Message, StringComparison.Ordinal);
        Assert.Contains("disclosed twice", refusals[3].Message, StringComparison.Ordinal);
        await store.Entities.AppendAsync(entity, 0, [intact]);
        EntryAssert.Same([intact], await store.Entities.ReadAsync(entity, 1, 10));
    }

    [Fact]
    public async Task Append_refuses_entries_out_of_sequence_or_of_another_entity()
    {
        var store = await CreateStoreAsync();
        var entries = Ledger.Chain(Entity(), 3);
        var other = Ledger.Chain(Entity("GB-AEO-0002"), 1);

        var gap = await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 0, [entries[0], entries[2]]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 1, [entries[2]]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 0, other));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 0, []));

        Assert.Contains("Sequence 2 expected", gap.Message, StringComparison.Ordinal);
        Assert.Null(await store.Entities.GetHeadAsync(Entity()));
        Assert.Null(await store.Entities.GetHeadAsync(Entity("GB-AEO-0002")));
    }

    [Fact]
    public async Task Two_replicas_racing_at_the_same_sequence_exactly_one_wins_each_time()
    {
        var one = await CreateStoreAsync();
        var two = await OpenReplicaAsync(one);
        var entity = Entity("GB-AEO-RACE");
        DisclosedEntry? last = null;

        for (var round = 0; round < 8; round++)
        {
            var expected = (ulong)round;
            var mine = Ledger.Next(entity, last, [new("writer", "one")]);
            var theirs = Ledger.Next(entity, last, [new("writer", "two")]);
            var outcomes = await Task.WhenAll(
                Outcome(() => one.Entities.AppendAsync(entity, expected, [mine])),
                Outcome(() => two.Entities.AppendAsync(entity, expected, [theirs])));

            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o is ConcurrencyConflictException);
            last = outcomes[0] is null ? mine : theirs;
        }

        var chain = await one.Entities.ReadAsync(entity, 1, 100);
        Assert.Equal(8, chain.Count);
        Assert.Null(ChainVerifier.Verify(EntryAssert.Entries(chain), Ledger.Keys(Origin)).Fault);
        Assert.Equal(last!.Entry.Hash, (await two.Entities.GetHeadAsync(entity))!.LastHash);
    }

    [Fact]
    public async Task Two_replicas_appending_with_reload_and_retry_leave_one_continuous_chain()
    {
        var one = await CreateStoreAsync();
        var two = await OpenReplicaAsync(one);
        var entity = Entity("GB-AEO-BUSY");
        const int PerWriter = 10;

        await Task.WhenAll(Writer(one, "one"), Writer(two, "two"));

        var chain = await one.Entities.ReadAsync(entity, 1, 1000);
        Assert.Equal(2 * PerWriter, chain.Count);
        Assert.Null(ChainVerifier.Verify(EntryAssert.Entries(chain), Ledger.Keys(Origin)).Fault);
        Assert.Equal(PerWriter, chain.Count(e => e["writer"] == "one"));

        async Task Writer(INodeStore store, string name)
        {
            var written = 0;
            while (written < PerWriter)
            {
                var head = await store.Entities.GetHeadAsync(entity);
                var previous = head is null ? null : (await store.Entities.ReadAsync(entity, head.LastSequence, 1))[0];
                var entry = Ledger.Next(entity, previous, [new("writer", name)]);
                try
                {
                    await store.Entities.AppendAsync(entity, head?.LastSequence ?? 0, [entry]);
                    written++;
                }
                catch (ConcurrencyConflictException)
                {
                    // The other replica got there first: reload and try again.
                }
            }
        }
    }

    [Fact]
    public async Task Read_from_a_sequence_with_a_max_count_returns_that_window_in_order()
    {
        var (store, entries) = await StoreWithChainAsync(10);

        EntryAssert.Same(entries.Skip(3).Take(3).ToArray(), await store.Entities.ReadAsync(Entity(), 4, 3));
        EntryAssert.Same(entries.Skip(8).ToArray(), await store.Entities.ReadAsync(Entity(), 9, 5));
        EntryAssert.Same(entries.Take(2).ToArray(), await store.Entities.ReadAsync(Entity(), 0, 2));
        Assert.Empty(await store.Entities.ReadAsync(Entity(), 11, 5));
        Assert.Empty(await store.Entities.ReadAsync(Entity("GB-AEO-NONE"), 1, 5));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.Entities.ReadAsync(Entity(), 1, 0));
    }

    [Fact]
    public async Task Read_pages_past_a_thousand_entries()
    {
        var store = await CreateStoreAsync();
        var entity = Entity("GB-AEO-LONG");
        var all = new List<DisclosedEntry>();
        DisclosedEntry? last = null;
        while (all.Count < 1010)
        {
            var batch = Ledger.Chain(entity, Math.Min(StorageLimits.MaxEntriesPerAppend, 1010 - all.Count), last);
            await store.Entities.AppendAsync(entity, (ulong)all.Count, batch);
            all.AddRange(batch);
            last = batch[^1];
        }

        var everything = await store.Entities.ReadAsync(entity, 1, 5000);
        var window = await store.Entities.ReadAsync(entity, 300, 600);

        Assert.Equal(1010, everything.Count);
        Assert.Equal(all.Select(e => e.Entry.Hash), everything.Select(e => e.Entry.Hash));
        Assert.Equal(600, window.Count);
        Assert.Equal(300UL, window[0].Entry.Body.Sequence);
        Assert.Equal(899UL, window[^1].Entry.Body.Sequence);
    }

    [Fact]
    public async Task MarkLogged_only_moves_forward_and_not_past_the_chain()
    {
        var (store, _) = await StoreWithChainAsync(5);

        await store.Entities.MarkLoggedAsync(Entity(), 3);
        await store.Entities.MarkLoggedAsync(Entity(), 2);
        var afterBackwards = await store.Entities.GetHeadAsync(Entity());
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.MarkLoggedAsync(Entity(), 6));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.MarkLoggedAsync(Entity("GB-AEO-NONE"), 1));
        await store.Entities.MarkLoggedAsync(Entity(), 5);

        Assert.Equal(3UL, afterBackwards!.LoggedThrough);
        Assert.Equal(5UL, (await store.Entities.GetHeadAsync(Entity()))!.LoggedThrough);
    }

    [Fact]
    public async Task MarkLogged_survives_an_append_in_between_and_keeps_the_mark()
    {
        var (store, entries) = await StoreWithChainAsync(2);
        await store.Entities.MarkLoggedAsync(Entity(), 2);

        var head = await store.Entities.AppendAsync(Entity(), 2, Ledger.Chain(Entity(), 1, entries[^1]));

        Assert.Equal(2UL, head.LoggedThrough);
        Assert.Equal(new EntityHead(3, head.LastHash, 2), await store.Entities.GetHeadAsync(Entity()));
    }

    [Fact]
    public async Task FindUnlogged_lists_the_origins_entities_with_entries_beyond_their_log_mark()
    {
        var store = await CreateStoreAsync();
        var logged = Entity("A-LOGGED");
        var partly = Entity("B-PARTLY");
        var none = new EntityKey(Origin, "shipment", "C-NONE");
        var foreign = new EntityKey("FR", Kind, "D-FOREIGN");
        foreach (var e in new[] { logged, partly, none, foreign })
        {
            await store.Entities.AppendAsync(e, 0, Ledger.Chain(e, 3));
        }

        await store.Entities.MarkLoggedAsync(logged, 3);
        await store.Entities.MarkLoggedAsync(partly, 2);

        var unlogged = await ToListAsync(store.Entities.FindUnloggedAsync(Origin));
        Assert.Equal([partly, none], unlogged.OrderBy(k => k.ToString(), StringComparer.Ordinal));

        var loggedLast = (await store.Entities.ReadAsync(logged, 3, 1))[0];
        await store.Entities.AppendAsync(logged, 3, [Ledger.Next(logged, loggedLast)]);
        Assert.Contains(logged, await ToListAsync(store.Entities.FindUnloggedAsync(Origin)));
    }

    [Fact]
    public async Task List_returns_one_origin_and_kind_ordered_by_id()
    {
        var store = await CreateStoreAsync();
        string[] ids = ["b", "a/2", "a.1", "a-0", "A", "a:9", "a_b", "a", "a/1/x", "0"];
        foreach (var id in ids)
        {
            await store.Entities.AppendAsync(Entity(id), 0, Ledger.Chain(Entity(id), 1));
        }

        // Neighbours whose keys share a prefix with the listed ones must stay out.
        foreach (var other in new[] { new EntityKey("GBX", Kind, "a"), new EntityKey(Origin, Kind + "-x", "a"), new EntityKey(Origin, "aeo", "a") })
        {
            await store.Entities.AppendAsync(other, 0, Ledger.Chain(other, 1));
        }

        var listed = await ToListAsync(store.Entities.ListAsync(Origin, Kind));

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(k => k.Id));
        Assert.All(listed, k => Assert.Equal((Origin, Kind), (k.Origin, k.Kind)));
    }

    [Fact]
    public async Task List_pages_past_a_thousand_entities()
    {
        var store = await CreateStoreAsync();
        var ids = Enumerable.Range(0, 1005).Select(i => "AEO" + i.ToString("D5", CultureInfo.InvariantCulture)).ToArray();
        var entries = ids.Select(id => Ledger.Chain(Entity(id), 1)).ToArray();

        // Sixteen writers at a time keep the set-up short on a remote store.
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(ids.Select(async (id, i) =>
        {
            await gate.WaitAsync();
            try
            {
                await store.Entities.AppendAsync(Entity(id), 0, entries[i]);
            }
            finally
            {
                gate.Release();
            }
        }));

        var listed = await ToListAsync(store.Entities.ListAsync(Origin, Kind));

        Assert.Equal(ids, listed.Select(k => k.Id));
    }

    [Fact]
    public async Task Entries_at_the_field_size_limits_round_trip()
    {
        var store = await CreateStoreAsync();
        var manyFields = new EntityKey(Origin, Kind, "GB-AEO-WIDE");
        var bigFields = new EntityKey(Origin, Kind, "GB-AEO-BIG");

        // 256 fields with 128-character names totalling 256 KiB; and 4 fields of 64 KiB each.
        var wide = Ledger.Next(manyFields, null, TestLedger.LargeValues(EntryLimits.MaxFields, EntryLimits.MaxPayloadBytes, Identifier.MaxLength));
        var big = Ledger.Next(bigFields, null, TestLedger.LargeValues(4, EntryLimits.MaxPayloadBytes));
        await store.Entities.AppendAsync(manyFields, 0, [wide]);
        await store.Entities.AppendAsync(bigFields, 0, [big]);

        EntryAssert.Same(wide, (await store.Entities.ReadAsync(manyFields, 1, 1))[0]);
        EntryAssert.Same(big, (await store.Entities.ReadAsync(bigFields, 1, 1))[0]);
        Assert.Equal(EntryLimits.MaxPayloadBytes, big.Fields.Sum(f => System.Text.Encoding.UTF8.GetByteCount(f.Value)));
    }

    [Fact]
    public async Task An_append_beyond_the_per_append_limits_is_refused_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        var tooMany = Ledger.Chain(Entity(), StorageLimits.MaxEntriesPerAppend + 1);
        var heavyEntity = Entity("GB-AEO-HEAVY");
        var heavy = new List<DisclosedEntry>();
        for (var i = 0; i < 9; i++)
        {
            heavy.Add(Ledger.Next(heavyEntity, heavy.LastOrDefault(), TestLedger.LargeValues(4, EntryLimits.MaxPayloadBytes)));
        }

        var count = await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(Entity(), 0, tooMany));
        var size = await Assert.ThrowsAsync<ArgumentException>(() => store.Entities.AppendAsync(heavyEntity, 0, heavy));
        await store.Entities.AppendAsync(heavyEntity, 0, heavy.Take(5).ToArray());

        Assert.Contains("at most 99", count.Message, StringComparison.Ordinal);
        Assert.Contains("Split", size.Message, StringComparison.Ordinal);
        Assert.Null(await store.Entities.GetHeadAsync(Entity()));
        Assert.Equal(5UL, (await store.Entities.GetHeadAsync(heavyEntity))!.LastSequence);
    }

    [Fact]
    public async Task Ids_with_slashes_and_colons_are_stored_and_kept_apart()
    {
        var store = await CreateStoreAsync();
        var slash = new EntityKey(Origin, "shipment", "UCR/2026/GB/123");
        var colon = new EntityKey(Origin, "shipment", "UCR:2026:GB:123");
        var dots = new EntityKey(Origin, "shipment", "UCR.2026.GB.123");
        foreach (var e in new[] { slash, colon, dots })
        {
            await store.Entities.AppendAsync(e, 0, Ledger.Chain(e, 2));
        }

        var read = await store.Entities.ReadAsync(slash, 1, 10);

        Assert.Equal(2, read.Count);
        Assert.All(read, e => Assert.Equal(slash, EntityKey.Of(e.Entry.Body)));
        Assert.Equal([dots, slash, colon], await ToListAsync(store.Entities.ListAsync(Origin, "shipment")));
    }

    [Theory]
    [InlineData("a#b")]
    [InlineData("a\\b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("/leading-slash")]
    public async Task Keys_outside_the_identifier_grammar_are_refused_with_a_clear_message(string bad)
    {
        var store = await CreateStoreAsync();

        var key = Assert.Throws<ArgumentException>(() => new EntityKey(Origin, Kind, bad));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Partners.GetAsync(bad));
        await Assert.ThrowsAsync<ArgumentException>(() => ToListAsync(store.Entities.ListAsync(Origin, bad)));
        await Assert.ThrowsAsync<ArgumentException>(() => ToListAsync(store.Entities.FindUnloggedAsync(bad)));

        Assert.Contains("entity id", key.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stores_created_for_different_tests_share_nothing()
    {
        var (first, _) = await StoreWithChainAsync(1);
        var second = await CreateStoreAsync();

        Assert.NotNull(await first.Entities.GetHeadAsync(Entity()));
        Assert.Null(await second.Entities.GetHeadAsync(Entity()));
    }

    // ---- Merkle log -----------------------------------------------------------------------

    [Fact]
    public async Task Log_append_read_and_find_round_trip()
    {
        var store = await CreateStoreAsync();
        var entries = Ledger.Chain(Entity(), 3);
        var leaves = entries.Select((e, i) => TestLedger.Leaf(i, e)).ToArray();

        Assert.Equal(0, await store.Log.GetSizeAsync());
        await store.Log.AppendAsync(0, leaves);

        Assert.Equal(3, await store.Log.GetSizeAsync());
        Assert.Equal(leaves, await store.Log.ReadAsync(0, 10));
        Assert.Equal(leaves.Skip(1).Take(1), await store.Log.ReadAsync(1, 1));
        Assert.Empty(await store.Log.ReadAsync(3, 10));
        Assert.Equal(leaves[2], await store.Log.FindAsync(entries[2].Entry.Hash));
        Assert.Null(await store.Log.FindAsync(Hash256.Of([1, 2, 3])));
    }

    [Fact]
    public async Task Log_append_at_a_stale_size_conflicts_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        await store.Log.AppendAsync(0, TestLedger.RandomLeaves(0, 3));
        var stale = TestLedger.RandomLeaves(0, 2);
        var ahead = TestLedger.RandomLeaves(5, 2);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Log.AppendAsync(0, stale));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Log.AppendAsync(5, ahead));

        Assert.Equal(3, await store.Log.GetSizeAsync());
        Assert.Null(await store.Log.FindAsync(stale[0].EntryHash));
        Assert.Null(await store.Log.FindAsync(ahead[0].EntryHash));
    }

    [Fact]
    public async Task Log_refuses_bad_indexes_and_an_entry_hash_already_logged()
    {
        var store = await CreateStoreAsync();
        var first = TestLedger.RandomLeaves(0, 2);
        await store.Log.AppendAsync(0, first);
        var again = new[] { TestLedger.RandomLeaves(2, 1)[0], first[1] with { Index = 3 } };

        await Assert.ThrowsAsync<ArgumentException>(() => store.Log.AppendAsync(2, TestLedger.RandomLeaves(3, 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Log.AppendAsync(2, TestLedger.RandomLeaves(2, StorageLimits.MaxLeavesPerAppend + 1)));
        var duplicate = await Assert.ThrowsAsync<EntryAlreadyLoggedException>(() => store.Log.AppendAsync(2, again));

        Assert.Contains("already logged at leaf 1", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal(2, await store.Log.GetSizeAsync());
        Assert.Null(await store.Log.FindAsync(again[0].EntryHash));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(8, 3)]
    [InlineData(20, 9)]
    public async Task Log_refuses_one_entry_hash_twice_in_one_append_and_changes_nothing(int count, int repeated)
    {
        var store = await CreateStoreAsync();
        var leaves = TestLedger.RandomLeaves(0, count).ToArray();
        leaves[^1] = leaves[^1] with { EntryHash = leaves[repeated].EntryHash };

        var twice = await Assert.ThrowsAsync<ArgumentException>(() => store.Log.AppendAsync(0, leaves));

        Assert.Contains("appears twice", twice.Message, StringComparison.Ordinal);
        Assert.Equal(0, await store.Log.GetSizeAsync());
        Assert.Null(await store.Log.FindAsync(leaves[0].EntryHash));
    }

    [Fact]
    public async Task Two_replicas_appending_to_the_log_at_once_exactly_one_wins()
    {
        var one = await CreateStoreAsync();
        var two = await OpenReplicaAsync(one);
        await one.Log.AppendAsync(0, TestLedger.RandomLeaves(0, 1));

        for (var round = 1; round <= 5; round++)
        {
            var a = TestLedger.RandomLeaves(round, 1);
            var b = TestLedger.RandomLeaves(round, 1);
            var outcomes = await Task.WhenAll(Outcome(() => one.Log.AppendAsync(round, a)), Outcome(() => two.Log.AppendAsync(round, b)));

            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o is ConcurrencyConflictException);
        }

        Assert.Equal(6, await two.Log.GetSizeAsync());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), (await one.Log.ReadAsync(0, 100)).Select(l => l.Index));
    }

    [Fact]
    public async Task Log_reads_page_past_a_thousand_leaves()
    {
        var store = await CreateStoreAsync();
        var all = new List<LogLeaf>();
        while (all.Count < 1030)
        {
            var leaves = TestLedger.RandomLeaves(all.Count, Math.Min(StorageLimits.MaxLeavesPerAppend, 1030 - all.Count));
            await store.Log.AppendAsync(all.Count, leaves);
            all.AddRange(leaves);
        }

        Assert.Equal(all, await store.Log.ReadAsync(0, 2000));
        Assert.Equal(all.Skip(990).Take(20), await store.Log.ReadAsync(990, 20));
        Assert.Equal(all[1029], await store.Log.FindAsync(all[1029].EntryHash));
    }

    [Fact]
    public async Task Checkpoints_latest_and_by_size()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.Log.GetLatestCheckpointAsync());
        byte[] five = [5, 5, 5], twelve = [12, 12], eight = [8], large = new byte[StorageLimits.MaxCheckpointBytes];
        large.AsSpan().Fill(0xAB);

        await store.Log.SaveCheckpointAsync(5, five);
        await store.Log.SaveCheckpointAsync(12, twelve);
        await store.Log.SaveCheckpointAsync(8, eight);
        await store.Log.SaveCheckpointAsync(12, [12, 12]);

        Assert.Equal(twelve, await store.Log.GetLatestCheckpointAsync());
        Assert.Equal(eight, await store.Log.GetCheckpointAsync(8));
        Assert.Null(await store.Log.GetCheckpointAsync(7));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Log.SaveCheckpointAsync(8, [9]));
        Assert.Equal(eight, await store.Log.GetCheckpointAsync(8));

        await store.Log.SaveCheckpointAsync(1_000_000, large);
        Assert.Equal(large, await store.Log.GetLatestCheckpointAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.Log.SaveCheckpointAsync(9, []));
    }

    // ---- partner state --------------------------------------------------------------------

    [Fact]
    public async Task Partner_state_is_saved_with_compare_and_set()
    {
        var store = await CreateStoreAsync();
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);
        Assert.Null(await store.Partners.GetAsync("FR"));

        var created = await store.Partners.SaveAsync(new PartnerState("FR", 0, null, at));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Partners.SaveAsync(new PartnerState("FR", 1, null, at)));
        var updated = await store.Partners.SaveAsync(created with { AcknowledgedThrough = 42, LastCheckpoint = [1, 2, 3], UpdatedAt = at.AddMinutes(1) });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Partners.SaveAsync(created with { AcknowledgedThrough = 7 }));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Partners.SaveAsync(new PartnerState("DE", 0, null, at, created.Version)));

        Assert.NotNull(created.Version);
        Assert.NotEqual(created.Version, updated.Version);
        var read = await store.Partners.GetAsync("FR");
        Assert.Equal(42, read!.AcknowledgedThrough);
        Assert.Equal(new byte[] { 1, 2, 3 }, read.LastCheckpoint);
        Assert.Equal(at.AddMinutes(1), read.UpdatedAt);
        Assert.Equal(at.Offset, read.UpdatedAt.Offset);
        Assert.Equal(updated.Version, read.Version);
        Assert.Null(await store.Partners.GetAsync("DE"));
    }

    [Fact]
    public async Task Partner_states_are_listed_by_partner_with_versions_that_save()
    {
        var store = await CreateStoreAsync();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var partner in new[] { "NL", "DE", "FR" })
        {
            await store.Partners.SaveAsync(new PartnerState(partner, 1, null, at));
        }

        var listed = await store.Partners.ListAsync();
        var saved = await store.Partners.SaveAsync(listed[0] with { AcknowledgedThrough = 2 });

        Assert.Equal(["DE", "FR", "NL"], listed.Select(s => s.Partner));
        Assert.Equal(2, (await store.Partners.GetAsync("DE"))!.AcknowledgedThrough);
        Assert.Equal(saved.Version, (await store.Partners.GetAsync("DE"))!.Version);
        await Assert.ThrowsAsync<ArgumentException>(() => store.Partners.SaveAsync(new PartnerState("F R", 0, null, at)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.Partners.SaveAsync(new PartnerState("FR", -1, null, at)));
    }

    [Fact]
    public async Task Partner_state_keeps_the_received_through_mark_under_compare_and_set()
    {
        var store = await CreateStoreAsync();
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

        var created = await store.Partners.SaveAsync(new PartnerState("FR", 3, null, at) { ReceivedThrough = 17 });
        var read = await store.Partners.GetAsync("FR");
        var updated = await store.Partners.SaveAsync(read! with { ReceivedThrough = 40 });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Partners.SaveAsync(created with { ReceivedThrough = 99 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.Partners.SaveAsync(updated with { ReceivedThrough = -1 }));

        Assert.Equal(17, created.ReceivedThrough);
        Assert.Equal(17, read.ReceivedThrough);
        Assert.Equal(3, read.AcknowledgedThrough);
        var now = await store.Partners.GetAsync("FR");
        Assert.Equal(40, now!.ReceivedThrough);
        Assert.Equal(3, now.AcknowledgedThrough);
        Assert.Equal(updated.Version, now.Version);
        Assert.Equal(40, Assert.Single(await store.Partners.ListAsync()).ReceivedThrough);
        Assert.Equal(0, (await store.Partners.SaveAsync(new PartnerState("DE", 0, null, at))).ReceivedThrough);
        Assert.Equal(0, (await store.Partners.GetAsync("DE"))!.ReceivedThrough);
    }

    [Fact]
    public async Task Two_replicas_moving_one_partners_received_through_mark_exactly_one_wins()
    {
        var one = await CreateStoreAsync();
        var two = await OpenReplicaAsync(one);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var start = await one.Partners.SaveAsync(new PartnerState("FR", 0, null, at) { ReceivedThrough = 5 });

        var outcomes = await Task.WhenAll(
            Outcome(() => one.Partners.SaveAsync(start with { ReceivedThrough = 10 })),
            Outcome(() => two.Partners.SaveAsync(start with { ReceivedThrough = 20 })));

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is ConcurrencyConflictException);
        Assert.Equal(outcomes[0] is null ? 10 : 20, (await two.Partners.GetAsync("FR"))!.ReceivedThrough);
    }

    [Fact]
    public async Task Two_replicas_saving_one_partner_state_exactly_one_wins()
    {
        var one = await CreateStoreAsync();
        var two = await OpenReplicaAsync(one);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var start = await one.Partners.SaveAsync(new PartnerState("FR", 0, null, at));

        var outcomes = await Task.WhenAll(
            Outcome(() => one.Partners.SaveAsync(start with { AcknowledgedThrough = 1 })),
            Outcome(() => two.Partners.SaveAsync(start with { AcknowledgedThrough = 2 })));

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is ConcurrencyConflictException);
        Assert.Equal(outcomes[0] is null ? 1 : 2, (await two.Partners.GetAsync("FR"))!.AcknowledgedThrough);
    }

    // ---- receipts --------------------------------------------------------------------------

    [Fact]
    public async Task Receipts_are_listed_by_sequence_then_issuer_with_every_field_intact()
    {
        var store = await CreateStoreAsync();
        var entries = Ledger.Chain(Entity(), 3);
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);
        string[] issuers = ["FR", "DE_a", "DE/y", "DE.x", "DE-z", "DE", "D"];
        var saved = new List<StoredReceipt>();
        foreach (var sequence in new[] { 3, 1, 2 })
        {
            foreach (var issuer in issuers)
            {
                var receipt = Ledger.ReceiptFor(entries[sequence - 1], issuer, ReceiptVerdict.BusinessRejected, at.AddMinutes(sequence));
                await store.Receipts.SaveAsync(receipt);
                saved.Add(receipt);
            }
        }

        var listed = await store.Receipts.ListAsync(Entity());

        var expected = saved.OrderBy(r => r.Sequence).ThenBy(r => r.Issuer, StringComparer.Ordinal).ToArray();
        ReceiptAssert.Same(expected, listed);
        Assert.Equal(at.AddMinutes(1).Offset, listed[0].ReceivedAt.Offset);
        var signed = SignedReceipt.Decode(listed[^1].SignedReceipt);
        Assert.True(signed.Ok, signed.Error?.Message);
        Assert.Null(signed.Value!.Verify(Ledger.Keys("FR")));
        Assert.Equal(entries[2].Entry.Hash, signed.Value.Receipt.EntryHash);
    }

    [Fact]
    public async Task A_later_receipt_from_the_same_issuer_for_the_same_entry_replaces_the_earlier_one()
    {
        var one = await CreateStoreAsync();
        var two = await OpenReplicaAsync(one);
        var entries = Ledger.Chain(Entity(), 2);
        var at = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var rejected = Ledger.ReceiptFor(entries[0], "FR", ReceiptVerdict.Rejected, at);
        var fromGermany = Ledger.ReceiptFor(entries[0], "DE", ReceiptVerdict.Endorsed, at);
        var forTheNextEntry = Ledger.ReceiptFor(entries[1], "FR", ReceiptVerdict.Endorsed, at);
        var endorsed = Ledger.ReceiptFor(entries[0], "FR", ReceiptVerdict.Endorsed, at.AddMinutes(5));
        var accepted = Ledger.ReceiptFor(entries[0], "FR", ReceiptVerdict.BusinessAccepted, at.AddMinutes(9));

        await one.Receipts.SaveAsync(rejected);
        await one.Receipts.SaveAsync(fromGermany);
        await one.Receipts.SaveAsync(forTheNextEntry);
        await one.Receipts.SaveAsync(endorsed);
        var afterEndorsement = await two.Receipts.ListAsync(Entity());
        await two.Receipts.SaveAsync(accepted);
        await two.Receipts.SaveAsync(accepted);

        ReceiptAssert.Same([fromGermany, endorsed, forTheNextEntry], afterEndorsement);
        ReceiptAssert.Same([fromGermany, accepted, forTheNextEntry], await one.Receipts.ListAsync(Entity()));
    }

    [Fact]
    public async Task Receipts_of_one_entity_are_kept_apart_from_every_other_entity()
    {
        var store = await CreateStoreAsync();
        EntityKey[] entities =
        [
            Entity("GB-AEO-0001"), Entity("GB-AEO-00010"), Entity("GB-AEO-0001/x"), new(Origin, "aeo", "GB-AEO-0001"), new("GBX", Kind, "GB-AEO-0001"),
        ];
        var receipts = new Dictionary<EntityKey, StoredReceipt>();
        foreach (var entity in entities)
        {
            receipts[entity] = Ledger.ReceiptFor(Ledger.Chain(entity, 1)[0], "FR");
            await store.Receipts.SaveAsync(receipts[entity]);
        }

        foreach (var entity in entities)
        {
            ReceiptAssert.Same([receipts[entity]], await store.Receipts.ListAsync(entity));
        }

        Assert.Empty(await store.Receipts.ListAsync(Entity("GB-AEO-NONE")));
    }

    [Fact]
    public async Task A_receipt_that_cannot_be_stored_is_refused_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        var entry = Ledger.Chain(Entity(), 1)[0];
        var good = Ledger.ReceiptFor(entry, "FR");
        await store.Receipts.SaveAsync(good);
        var atLimit = good with { Issuer = "DE", SignedReceipt = new byte[StorageLimits.MaxReceiptBytes] };

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.Receipts.SaveAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.Receipts.SaveAsync(good with { Entity = null! }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.Receipts.SaveAsync(good with { SignedReceipt = null! }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Receipts.SaveAsync(good with { Issuer = "F R" }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Receipts.SaveAsync(good with { Issuer = string.Empty }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Receipts.SaveAsync(good with { Sequence = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Receipts.SaveAsync(good with { Verdict = (ReceiptVerdict)9 }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.Receipts.SaveAsync(good with { SignedReceipt = [] }));
        var tooLarge = await Assert.ThrowsAsync<ArgumentException>(
            () => store.Receipts.SaveAsync(good with { SignedReceipt = new byte[StorageLimits.MaxReceiptBytes + 1] }));

        Assert.Contains($"1 to {StorageLimits.MaxReceiptBytes} bytes", tooLarge.Message, StringComparison.Ordinal);
        ReceiptAssert.Same([good], await store.Receipts.ListAsync(Entity()));
        await store.Receipts.SaveAsync(atLimit);
        ReceiptAssert.Same([atLimit, good], await store.Receipts.ListAsync(Entity()));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.Receipts.ListAsync(null!));
    }

    // ---- helpers --------------------------------------------------------------------------

    private static async Task<Exception?> Outcome(Func<Task> action)
    {
        // Run both writers off the test thread so they really overlap on providers that answer synchronously.
        try
        {
            await Task.Run(action);
            return null;
        }
        catch (Exception e) when (e is ConcurrencyConflictException)
        {
            return e;
        }
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
}
