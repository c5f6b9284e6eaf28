using System.Net;
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
        var service = new TableService(new TableTransport(TableAccount.Parse(_options.ConnectionString), Azurite.Http, TimeProvider.System, _options));
        var table = _store.PartnersTable;
        using (var first = new TableRowWriter("p", "head"))
        {
            await service.SendAsync(new TableRequest(HttpMethod.Post, table, first.Int64("N", 1).ToArray()), default);
        }

        var staleETag = (await service.GetAsync(table, "p", "head", default))!.Value.ETag;
        using (var second = new TableRowWriter("p", "head"))
        {
            await service.SendAsync(new TableRequest(HttpMethod.Put, TableKeys.EntityResource(table, "p", "head"), second.Int64("N", 2).ToArray(), IfMatch: staleETag), default);
        }

        using var insert = new TableRowWriter("p", "row1");
        using var replace = new TableRowWriter("p", "head");
        var batch = new TableBatch(service.Account, table)
            .Insert(insert.Int64("N", 10).ToArray())
            .Replace("p", "head", staleETag, replace.Int64("N", 3).ToArray());
        var response = await service.SendAsync(batch.ToRequest(), default);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.Status);
        Assert.Null(await service.GetAsync(table, "p", "row1", default));
        Assert.Equal(2, (await service.GetAsync(table, "p", "head", default))!.Value.Row.Int64("N"));
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
    public void A_transactions_response_yields_the_etag_of_its_first_operation()
    {
        const string Response =
            "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_1\r\n\r\n"
            + "--changesetresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nDataServiceVersion: 3.0;\r\nETag: W/\"datetime'2026-11-21T01%3A03%3A58.5134477Z'\"\r\n\r\n\r\n"
            + "--changesetresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nETag: W/\"datetime'2026-11-21T01%3A03%3A58.5134479Z'\"\r\n\r\n\r\n"
            + "--changesetresponse_1--\r\n--batchresponse_1--\r\n";
        const string WithoutETag =
            "--changesetresponse_1\r\n\r\nHTTP/1.1 204 No Content\r\nDataServiceVersion: 3.0;\r\n\r\n\r\n"
            + "--changesetresponse_1\r\n\r\nHTTP/1.1 204 No Content\r\nETag: W/\"datetime'2026-11-21T01%3A03%3A58Z'\"\r\n\r\n";

        Assert.Equal("W/\"datetime'2026-11-21T01%3A03%3A58.5134477Z'\"", BatchResponse.FirstETag(System.Text.Encoding.UTF8.GetBytes(Response)));
        Assert.Null(BatchResponse.FirstETag(System.Text.Encoding.UTF8.GetBytes(WithoutETag)));
        Assert.Null(BatchResponse.FirstETag([]));
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
        var service = new TableService(new TableTransport(TableAccount.Parse(_options.ConnectionString), Azurite.Http, TimeProvider.System, _options));
        using (var legacy = new TableRowWriter("partner", "FR"))
        {
            var row = legacy.String("Partner", "FR").Int64("AcknowledgedThrough", 7)
                .String("UpdatedAt", "2026-01-01T00:00:00.0000000+00:00").Boolean("HasCheckpoint", false).ToArray();
            Assert.True((await service.SendAsync(new TableRequest(HttpMethod.Post, _store.PartnersTable, row), default)).IsSuccess);
        }

        var read = await _store.Partners.GetAsync("FR");
        var saved = await _store.Partners.SaveAsync(read! with { ReceivedThrough = 12 });

        Assert.Equal(0, read.ReceivedThrough);
        Assert.Equal(7, read.AcknowledgedThrough);
        Assert.Equal(12, (await _store.Partners.GetAsync("FR"))!.ReceivedThrough);
        Assert.Equal(saved.Version, (await _store.Partners.GetAsync("FR"))!.Version);
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
    /// Passes requests to Azurite. Before the first $batch it can run an interfering write; after
    /// it, it can throw the real answer away and report a transient status instead.
    /// </summary>
    private sealed class LostAnswerHandler(HttpStatusCode? onFirstBatch, Func<Task>? beforeBatch = null) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _batches;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var isBatch = request.RequestUri!.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal);
            var first = isBatch && Interlocked.Increment(ref _batches) == 1;
            if (first && beforeBatch is not null)
            {
                await beforeBatch();
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (first && onFirstBatch is { } lost)
            {
                response.Dispose();
                return new HttpResponseMessage(lost);
            }

            return response;
        }
    }
}
