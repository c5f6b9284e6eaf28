using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// Stands in for the Table service behind the store's HttpClient: answers each request with the
/// next step of a script and records what was sent. Nothing leaves the process.
/// </summary>
internal sealed class ScriptedHandler(params Func<CancellationToken, Task<HttpResponseMessage>>[] script) : HttpMessageHandler
{
    private int _next;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>An OData error answer, as the Table service sends it.</summary>
    public static Func<CancellationToken, Task<HttpResponseMessage>> Error(HttpStatusCode status, string code) => _ =>
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(
                "{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"The server is busy or refused.\\nRequestId:1\"}}}",
                Encoding.UTF8,
                "application/json"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-error-code", code);
        return Task.FromResult(response);
    };

    /// <summary>A stored partner state row, as a point read returns it.</summary>
    public static Func<CancellationToken, Task<HttpResponseMessage>> Partner(string partner, long acknowledged) => _ =>
    {
        const string ETag = "W/\\\"datetime'2026-01-01T00%3A00%3A00Z'\\\"";
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(
                $$"""{"odata.etag":"{{ETag}}","PartitionKey":"partner","RowKey":"{{partner}}","Partner":"{{partner}}","AcknowledgedThrough@odata.type":"Edm.Int64","AcknowledgedThrough":"{{acknowledged}}","UpdatedAt":"2026-01-01T00:00:00.0000000+00:00","HasCheckpoint":false}""",
                Encoding.UTF8,
                "application/json"),
        });
    };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(new SeenRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.TryGetValues("If-Match", out var m) ? m.Single() : null,
            request.Headers.Authorization?.ToString()));
        var step = Interlocked.Increment(ref _next) - 1;
        return step < script.Length
            ? script[step](cancellationToken)
            : throw new InvalidOperationException($"Request {step + 1} was not expected.");
    }

    internal sealed record SeenRequest(HttpMethod Method, Uri Uri, string? IfMatch, string? Authorization);
}
