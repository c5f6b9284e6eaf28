using System.Net;
using Azure.Data.Tables;
using Interconnect.Storage.Conformance;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// Behaviour specific to the Azure Table provider, on a real Azurite: the service semantics the
/// design relies on, and recovery when an answer is lost after the write was applied.
/// </summary>
public sealed class AzureTableBehaviourTests : IAsyncLifetime, IDisposable
{
    private readonly AzureTableStorageOptions _options = Azurite.NewOptions();
    private readonly TestLedger _ledger = new();
    private AzureTableNodeStore _store = null!;

    public async Task InitializeAsync()
    {
        await Azurite.EnsureReachableAsync();
        _store = new AzureTableNodeStore(_options, Azurite.Http, TimeProvider.System);
        await _store.InitializeAsync();
    }

    public Task DisposeAsync() => _store.DeleteTablesAsync();

    public void Dispose() => _ledger.Dispose();

    [Fact]
    public async Task A_transaction_with_a_stale_etag_fails_with_412_and_applies_none_of_its_rows()
    {
        var table = Azurite.Table(_store.PartnersTable);
        await table.AddEntityAsync(new TableEntity("p", "head") { ["N"] = 1L });
        var staleETag = (await table.GetEntityAsync<TableEntity>("p", "head")).Value.ETag;
        await table.UpdateEntityAsync(new TableEntity("p", "head") { ["N"] = 2L }, staleETag, TableUpdateMode.Replace);

        var refusal = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "row1") { ["N"] = 10L }),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "head") { ["N"] = 3L }, staleETag),
        ]));

        Assert.Equal((int)HttpStatusCode.PreconditionFailed, refusal.Status);
        Assert.Equal(1, refusal.FailedTransactionActionIndex);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "row1")).HasValue);
        Assert.Equal(2L, (await table.GetEntityAsync<TableEntity>("p", "head")).Value.GetInt64("N"));
    }

    [Fact]
    public async Task An_append_racing_only_a_log_mark_succeeds_and_keeps_the_mark()
    {
        var entity = new EntityKey("GB", "aeo-operator", "MARK-RACE");
        var first = _ledger.Chain(entity, 2);
        await _store.Entities.AppendAsync(entity, 0, first);
        var marking = new LostAnswerHandler(onFirstBatch: null, beforeBatch: () => _store.Entities.MarkLoggedAsync(entity, 2));
        var racing = new AzureTableNodeStore(_options, new HttpClient(marking), TimeProvider.System);

        var head = await racing.Entities.AppendAsync(entity, 2, _ledger.Chain(entity, 1, first[^1]));

        Assert.Equal(3UL, head.LastSequence);
        Assert.Equal(2UL, head.LoggedThrough);
        Assert.Equal(head, await _store.Entities.GetHeadAsync(entity));
    }

    [Fact]
    public async Task An_append_whose_answer_was_lost_is_recognised_on_retry_instead_of_reported_as_a_conflict()
    {
        var entity = new EntityKey("GB", "aeo-operator", "LOST-ANSWER");
        var entries = _ledger.Chain(entity, 3);
        var lossy = new AzureTableNodeStore(_options, new HttpClient(new LostAnswerHandler(onFirstBatch: HttpStatusCode.ServiceUnavailable)), TimeProvider.System);

        var head = await lossy.Entities.AppendAsync(entity, 0, entries);

        Assert.Equal(3UL, head.LastSequence);
        Assert.Equal(3, (await _store.Entities.ReadAsync(entity, 1, 10)).Count);
    }

    [Fact]
    public async Task A_log_append_whose_answer_was_lost_is_recognised_on_retry()
    {
        var lossy = new AzureTableNodeStore(_options, new HttpClient(new LostAnswerHandler(onFirstBatch: HttpStatusCode.GatewayTimeout)), TimeProvider.System);
        var leaves = TestLedger.RandomLeaves(0, 3);

        await lossy.Log.AppendAsync(0, leaves);

        Assert.Equal(leaves, await _store.Log.ReadAsync(0, 10));
    }

    [Fact]
    public async Task A_log_append_at_the_size_this_store_last_wrote_sends_only_the_transaction()
    {
        var counting = new CountingHandler();
        var store = new AzureTableNodeStore(_options, new HttpClient(counting), TimeProvider.System);
        await store.Log.AppendAsync(0, TestLedger.RandomLeaves(0, 2));
        counting.Requests.Clear();

        await store.Log.AppendAsync(2, TestLedger.RandomLeaves(2, 3));
        await store.Log.AppendAsync(5, TestLedger.RandomLeaves(5, 1));

        Assert.Equal(["POST $batch", "POST $batch"], counting.Requests);
        Assert.Equal(6, await _store.Log.GetSizeAsync());
    }

    [Fact]
    public async Task A_log_append_from_a_replica_that_missed_another_replicas_append_conflicts_and_changes_nothing()
    {
        var one = new AzureTableNodeStore(_options, Azurite.Http, TimeProvider.System);
        var two = new AzureTableNodeStore(_options, Azurite.Http, TimeProvider.System);
        await one.Log.AppendAsync(0, TestLedger.RandomLeaves(0, 2));
        await two.Log.AppendAsync(2, TestLedger.RandomLeaves(2, 1));
        var stale = TestLedger.RandomLeaves(2, 2);

        // One last wrote size 2, so it sends that size's ETag, which the other replica's append replaced.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => one.Log.AppendAsync(2, stale));

        Assert.Equal(3, await _store.Log.GetSizeAsync());
        Assert.Null(await _store.Log.FindAsync(stale[0].EntryHash));
        await one.Log.AppendAsync(3, TestLedger.RandomLeaves(3, 1));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (long)i), (await _store.Log.ReadAsync(0, 10)).Select(l => l.Index));
    }

    [Fact]
    public async Task Reads_past_a_thousand_rows_follow_continuation_tokens()
    {
        for (var size = 0; size < 1030; size += StorageLimits.MaxLeavesPerAppend)
        {
            await _store.Log.AppendAsync(size, TestLedger.RandomLeaves(size, Math.Min(StorageLimits.MaxLeavesPerAppend, 1030 - size)));
        }

        var counting = new CountingHandler();
        var reader = new AzureTableNodeStore(_options, new HttpClient(counting), TimeProvider.System);

        var leaves = await reader.Log.ReadAsync(0, 5000);

        Assert.Equal(1030, leaves.Count);
        Assert.Equal(Enumerable.Range(0, 1030).Select(i => (long)i), leaves.Select(l => l.Index));
        Assert.True(counting.Queries.Count >= 2, $"{counting.Queries.Count} query pages");
        Assert.Contains("NextPartitionKey=", counting.Queries[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Using_a_store_before_InitializeAsync_fails_with_the_status_and_azure_error_code()
    {
        var uninitialised = new AzureTableNodeStore(Azurite.NewOptions(), Azurite.Http, TimeProvider.System);
        var entity = new EntityKey("GB", "aeo-operator", "NO-TABLE");

        var error = await Assert.ThrowsAsync<StorageException>(() => uninitialised.Entities.AppendAsync(entity, 0, _ledger.Chain(entity, 1)));

        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains("TableNotFound", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_is_idempotent()
    {
        await _store.InitializeAsync();
        await new AzureTableNodeStore(_options, Azurite.Http, TimeProvider.System).InitializeAsync();

        Assert.Equal(0, await _store.Log.GetSizeAsync());
    }

    [Fact]
    public async Task A_partner_row_saved_before_ReceivedThrough_existed_reads_as_zero_and_saves_under_its_etag()
    {
        await Azurite.Table(_store.PartnersTable).AddEntityAsync(new TableEntity("partner", "FR")
        {
            ["Partner"] = "FR",
            ["AcknowledgedThrough"] = 7L,
            ["UpdatedAt"] = "2026-01-01T00:00:00.0000000+00:00",
            ["HasCheckpoint"] = false,
        });

        var read = await _store.Partners.GetAsync("FR");
        var saved = await _store.Partners.SaveAsync(read! with { ReceivedThrough = 12 });

        Assert.Equal(0, read.ReceivedThrough);
        Assert.Equal(7, read.AcknowledgedThrough);
        Assert.Equal(12, (await _store.Partners.GetAsync("FR"))!.ReceivedThrough);
        Assert.Equal(saved.Version, (await _store.Partners.GetAsync("FR"))!.Version);
    }

    [Fact]
    public async Task A_partner_state_whose_first_save_lost_its_answer_is_recognised_on_retry()
    {
        var lossy = new AzureTableNodeStore(
            _options, new HttpClient(new LostAnswerHandler(HttpStatusCode.ServiceUnavailable, LostAnswerHandler.Writes)), TimeProvider.System);
        var state = new PartnerState("FR", 4, [1, 2, 3], new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(1))) { ReceivedThrough = 9 };

        var saved = await lossy.Partners.SaveAsync(state);

        var stored = await _store.Partners.GetAsync("FR");
        Assert.Equal(stored!.Version, saved.Version);
        Assert.Equal((4L, 9L), (stored.AcknowledgedThrough, stored.ReceivedThrough));
        Assert.Equal([1, 2, 3], stored.LastCheckpoint);
    }

    [Fact]
    public async Task A_retried_append_that_finds_another_writers_entries_reports_a_conflict()
    {
        var entity = new EntityKey("GB", "aeo-operator", "RETRY-RACE");
        var theirs = _ledger.Chain(entity, 2);
        using var other = new TestLedger();

        // The first attempt never reaches the service: the other writer appends, and the answer is a 503.
        var racing = new AzureTableNodeStore(
            _options,
            new HttpClient(new LostAnswerHandler(HttpStatusCode.ServiceUnavailable, LostAnswerHandler.Batches, () => _store.Entities.AppendAsync(entity, 0, theirs), forward: false)),
            TimeProvider.System);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => racing.Entities.AppendAsync(entity, 0, other.Chain(entity, 2)));

        EntryAssert.Same(theirs, await _store.Entities.ReadAsync(entity, 1, 10));
    }

    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<string> Queries { get; } = [];

        /// <summary>Every request as "METHOD last-path-segment".</summary>
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add($"{request.Method} {request.RequestUri!.Segments[^1]}");
            }

            if (request.Method == HttpMethod.Get && request.RequestUri!.Query.Contains("$filter", StringComparison.Ordinal))
            {
                lock (Queries)
                {
                    Queries.Add(request.RequestUri.Query);
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Passes requests to Azurite. Before the first request it picks, it can run an interfering
    /// write; after it, it can throw the real answer away and report a transient status instead
    /// (or, with <c>forward: false</c>, not pass the request on at all).
    /// </summary>
    private sealed class LostAnswerHandler(HttpStatusCode? lose, Func<HttpRequestMessage, bool> picks, Func<Task>? before = null, bool forward = true)
        : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _picked;

        public LostAnswerHandler(HttpStatusCode? onFirstBatch, Func<Task>? beforeBatch = null)
            : this(onFirstBatch, Batches, beforeBatch)
        {
        }

        public static bool Batches(HttpRequestMessage request) => request.RequestUri!.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal);

        public static bool Writes(HttpRequestMessage request) => request.Method != HttpMethod.Get;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var first = picks(request) && Interlocked.Increment(ref _picked) == 1;
            if (first && before is not null)
            {
                await before();
            }

            if (first && !forward)
            {
                return new HttpResponseMessage(lose ?? HttpStatusCode.ServiceUnavailable);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (first && lose is { } lost)
            {
                response.Dispose();
                return new HttpResponseMessage(lost);
            }

            return response;
        }
    }
}
