using System.Net;
using static Interconnect.Storage.AzureTable.Tests.ScriptedHandler;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// How the store, through the SDK's pipeline, answers a failing service: a local handler scripts
/// the answers (the HttpClient the store is given is the SDK's transport). These test the retry
/// settings the store gives the SDK and how failures reach callers; the provider's behaviour
/// against the Table service itself is tested on Azurite.
/// </summary>
public sealed class TableFaultTests
{
    [Fact]
    public async Task A_503_is_retried_and_the_second_answer_is_used()
    {
        var handler = new ScriptedHandler(Error(HttpStatusCode.ServiceUnavailable, "ServerBusy"), Partner("FR", 7));

        var state = await Store(handler).Partners.GetAsync("FR");

        Assert.Equal(7, state!.AcknowledgedThrough);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Transient_statuses_are_retried(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(Error(status, "Transient"), Error(status, "Transient"), Partner("FR", 1));

        var state = await Store(handler).Partners.GetAsync("FR");

        Assert.Equal(1, state!.AcknowledgedThrough);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Connection_errors_and_timeouts_are_retried()
    {
        var handler = new ScriptedHandler(
            _ => throw new HttpRequestException("connection refused"),
            async ct =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return new HttpResponseMessage();
            },
            Partner("FR", 3));

        var state = await Store(handler, o => o with { RequestTimeout = TimeSpan.FromMilliseconds(200) }).Partners.GetAsync("FR");

        Assert.Equal(3, state!.AcknowledgedThrough);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_error_names_status_code_and_message()
    {
        var handler = new ScriptedHandler(Enumerable.Repeat(Error(HttpStatusCode.ServiceUnavailable, "ServerBusy"), 10).ToArray());

        var error = await Assert.ThrowsAsync<StorageException>(() => Store(handler, o => o with { MaxAttempts = 3 }).Partners.GetAsync("FR"));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Contains("ServerBusy", error.Message, StringComparison.Ordinal);
        Assert.Contains("The server is busy", error.Message, StringComparison.Ordinal);
    }

    // The node's readiness check and its API map StorageException to "storage does not answer";
    // the SDK's own AggregateException ("Retry failed after N tries") must not reach them.
    [Fact]
    public async Task A_service_that_never_answers_is_a_StorageException_naming_the_attempts_and_the_cause()
    {
        var handler = new ScriptedHandler(Enumerable.Repeat<Func<CancellationToken, Task<HttpResponseMessage>>>(
            _ => throw new HttpRequestException("Connection refused (127.0.0.1:10002)"), 10).ToArray());
        var entity = new EntityKey("GB", "shipment", "UCR-1");

        var error = await Assert.ThrowsAsync<StorageException>(() => Store(handler, o => o with { MaxAttempts = 4 }).Entities.GetHeadAsync(entity));

        Assert.Equal(4, handler.Requests.Count);
        Assert.Contains("4 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Reading retryentities (GB!shipment!UCR-1, head)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.PreconditionFailed, "UpdateConditionNotSatisfied")]
    [InlineData(HttpStatusCode.Conflict, "EntityAlreadyExists")]
    public async Task Conflicts_are_never_retried(HttpStatusCode status, string code)
    {
        var handler = new ScriptedHandler(Error(status, code), Partner("FR", 9));
        var at = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store(handler).Partners.SaveAsync(new PartnerState("FR", 1, null, at, "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"")));

        // One write, then one read to describe the conflict: the write itself was not repeated.
        Assert.Equal([HttpMethod.Put, HttpMethod.Get], handler.Requests.Select(r => r.Method));
        Assert.Equal("W/\"datetime'2026-01-01T00%3A00%3A00Z'\"", handler.Requests.First().IfMatch);
    }

    [Fact]
    public async Task Other_client_errors_are_reported_at_once_with_code_and_message()
    {
        var handler = new ScriptedHandler(Error(HttpStatusCode.Forbidden, "AuthorizationFailure"));

        var error = await Assert.ThrowsAsync<StorageException>(() => Store(handler).Log.GetSizeAsync());

        Assert.Single(handler.Requests);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Contains("AuthorizationFailure", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_that_cancels_gets_a_cancellation_not_a_storage_failure()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new ScriptedHandler(async ct =>
        {
            await cancel.CancelAsync();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return new HttpResponseMessage();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store(handler).Partners.GetAsync("FR", cancel.Token));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Requests_go_to_the_prefixed_table_at_the_connection_strings_endpoint_signed_for_its_account()
    {
        var handler = new ScriptedHandler(Partner("FR", 1));

        await Store(handler).Partners.GetAsync("FR");

        var request = Assert.Single(handler.Requests);
        Assert.Matches($"^SharedKey(Lite)? {TableAccount.DevelopmentAccountName}:", request.Authorization);
        Assert.Equal("127.0.0.1:10002", request.Uri.Authority);
        Assert.Equal($"/{TableAccount.DevelopmentAccountName}/retrypartners(PartitionKey='partner',RowKey='FR')", Uri.UnescapeDataString(request.Uri.AbsolutePath));
    }

    private static AzureTableNodeStore Store(ScriptedHandler handler, Func<AzureTableStorageOptions, AzureTableStorageOptions>? configure = null)
    {
        var options = new AzureTableStorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            TablePrefix = "retry",
            BaseRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        };
        return new AzureTableNodeStore(configure?.Invoke(options) ?? options, new HttpClient(handler), TimeProvider.System);
    }
}
