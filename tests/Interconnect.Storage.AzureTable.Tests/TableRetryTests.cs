using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// The retry policy, driven by a local handler that answers with scripted failures. This tests the
/// policy's decisions; the provider's behaviour against the Table service is tested on Azurite.
/// </summary>
public sealed class TableRetryTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_503_is_retried_and_the_second_answer_is_used()
    {
        var handler = new ScriptedHandler(Error(HttpStatusCode.ServiceUnavailable, "ServerBusy"), Partner("FR", 7));
        var store = Store(handler);

        var state = await store.Partners.GetAsync("FR");

        Assert.Equal(7, state!.AcknowledgedThrough);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task Transient_statuses_are_retried(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(Error(status, "Transient"), Error(status, "Transient"), Partner("FR", 1));

        await Store(handler).Partners.GetAsync("FR");

        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Connection_errors_and_timeouts_are_retried()
    {
        var handler = new ScriptedHandler(
            _ => throw new HttpRequestException("connection refused"),
            async ct => { await Task.Delay(Timeout.InfiniteTimeSpan, ct); return new HttpResponseMessage(); },
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

    [Theory]
    [InlineData(HttpStatusCode.PreconditionFailed, "UpdateConditionNotSatisfied")]
    [InlineData(HttpStatusCode.Conflict, "EntityAlreadyExists")]
    public async Task Conflicts_are_never_retried(HttpStatusCode status, string code)
    {
        var handler = new ScriptedHandler(Error(status, code), Partner("FR", 9));
        var at = Now;

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store(handler).Partners.SaveAsync(new PartnerState("FR", 1, null, at, "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"")));

        // One write, then one read to describe the conflict: the write itself was not repeated.
        Assert.Equal([HttpMethod.Put, HttpMethod.Get], handler.Requests.Select(r => r.Method));
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
    public async Task Every_attempt_is_signed_with_the_time_of_the_injected_clock_and_the_service_version()
    {
        var handler = new ScriptedHandler(Error(HttpStatusCode.ServiceUnavailable, "ServerBusy"), Partner("FR", 1));

        await Store(handler).Partners.GetAsync("FR");

        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("Mon, 02 Mar 2026 10:00:00 GMT", r.Date);
            Assert.Equal(TableTransport.ServiceVersion, r.Version);
            var expected = TableSharedKey.Sign(
                Convert.FromBase64String(TableAccount.DevelopmentAccountKey),
                TableSharedKey.StringToSign("GET", null, null, r.Date!, "/devstoreaccount1" + r.Uri.AbsolutePath));
            Assert.Equal($"SharedKey devstoreaccount1:{expected}", r.Authorization);
        });
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
        return new AzureTableNodeStore(configure?.Invoke(options) ?? options, new HttpClient(handler), new FixedTime(Now));
    }

    private static Func<CancellationToken, Task<HttpResponseMessage>> Error(HttpStatusCode status, string code) => _ =>
        Task.FromResult(new HttpResponseMessage(status)
        {
            Content = new StringContent(
                "{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"The server is busy or refused.\\nRequestId:1\"}}}",
                Encoding.UTF8,
                "application/json"),
        });

    private static Func<CancellationToken, Task<HttpResponseMessage>> Partner(string partner, long acknowledged) => _ =>
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(
                $$"""{"PartitionKey":"partner","RowKey":"{{partner}}","Partner":"{{partner}}","AcknowledgedThrough":"{{acknowledged}}","UpdatedAt":"2026-01-01T00:00:00.0000000+00:00","HasCheckpoint":false}""",
                Encoding.UTF8,
                "application/json"),
        };
        response.Headers.TryAddWithoutValidation("ETag", "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"");
        return Task.FromResult(response);
    };

    private sealed record SeenRequest(HttpMethod Method, Uri Uri, string? Date, string? Version, string? Authorization);

    private sealed class ScriptedHandler(params Func<CancellationToken, Task<HttpResponseMessage>>[] script) : HttpMessageHandler
    {
        private int _next;

        public ConcurrentQueue<SeenRequest> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(new SeenRequest(
                request.Method,
                request.RequestUri!,
                request.Headers.TryGetValues("x-ms-date", out var d) ? d.Single() : null,
                request.Headers.TryGetValues("x-ms-version", out var v) ? v.Single() : null,
                request.Headers.Authorization?.ToString()));
            var step = Interlocked.Increment(ref _next) - 1;
            return step < script.Length
                ? script[step](cancellationToken)
                : throw new InvalidOperationException($"Request {step + 1} was not expected.");
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
