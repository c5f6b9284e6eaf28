using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Interconnect.Storage.AzureTable;

/// <summary>One REST call to the Table service, described independently of any attempt.</summary>
/// <param name="Method">HTTP verb.</param>
/// <param name="Resource">Path and query relative to the Table endpoint, already escaped (no leading slash).</param>
/// <param name="Body">Request body, if any.</param>
/// <param name="ContentType">Content type of the body.</param>
/// <param name="IfMatch">ETag the target must still have, or "*".</param>
/// <param name="IsBatch">An entity-group transaction: the outcome is inside the multipart response.</param>
internal sealed record TableRequest(
    HttpMethod Method,
    string Resource,
    byte[]? Body = null,
    string? ContentType = null,
    string? IfMatch = null,
    bool IsBatch = false);

/// <summary>
/// The outcome of a call after retries. For a batch, Status is that of the failed operation (or 202),
/// and ETag, on success, is the new ETag of the row its first operation wrote.
/// </summary>
internal sealed record TableResponse(
    HttpStatusCode Status,
    byte[] Body,
    string? ETag,
    string? NextPartitionKey,
    string? NextRowKey,
    int Attempts,
    string? ErrorCode,
    string? ErrorMessage)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public bool IsConflict => Status is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed;

    /// <summary>An earlier attempt may have been applied although its answer was lost.</summary>
    public bool WasRetried => Attempts > 1;

    public JsonDocument Json() => JsonDocument.Parse(Body);

    public StorageException ToException(string what) =>
        new($"{what} failed: HTTP {(int)Status} {Status}, Azure error {ErrorCode ?? "(none)"}: {ErrorMessage ?? "(no message)"}");
}

/// <summary>
/// Sends Table service requests: Shared Key signing with a fresh x-ms-date per attempt, OData JSON
/// headers, and bounded retries with exponential backoff and jitter for transient failures only
/// (5xx, 408, 429, timeouts, connection errors). A 409 or 412 is an answer, never retried.
/// </summary>
internal sealed class TableTransport(TableAccount account, HttpClient http, TimeProvider time, AzureTableStorageOptions options)
{
    /// <summary>Service version: 2019-02-02 brought JSON batch responses and is accepted by Azure and Azurite.</summary>
    public const string ServiceVersion = "2019-02-02";

    public const string JsonNoMetadata = "application/json;odata=nometadata";
    public const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";

    public TableAccount Account => account;

    public async Task<TableResponse> SendAsync(TableRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            TableResponse? response = null;
            Exception? failure = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.RequestTimeout);
                try
                {
                    response = await SendOnceAsync(request, attempt, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = e;
                }
                catch (HttpRequestException e)
                {
                    failure = e;
                }
            }

            var transient = failure is not null || IsTransient(response!.Status);
            if (!transient)
            {
                return response!;
            }

            if (attempt >= options.MaxAttempts)
            {
                if (response is not null)
                {
                    return response;
                }

                throw new StorageException(
                    $"{request.Method} {request.Resource} failed after {attempt} attempts: {failure!.GetType().Name}: {failure.Message}", failure!);
            }

            await Task.Delay(Backoff(attempt), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether an HTTP status is worth another attempt.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not (HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported));

    private TimeSpan Backoff(int attempt)
    {
        // Full exponential growth, capped, with jitter over the upper half so that replicas that
        // failed together do not retry together.
        var ceiling = Math.Min(options.MaxRetryDelay.TotalMilliseconds, options.BaseRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        var jittered = (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(jittered);
    }

    private async Task<TableResponse> SendOnceAsync(TableRequest request, int attempt, CancellationToken cancellationToken)
    {
        var uri = account.Resolve(request.Resource);
        using var message = new HttpRequestMessage(request.Method, uri);
        var date = time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        message.Headers.TryAddWithoutValidation("x-ms-date", date);
        message.Headers.TryAddWithoutValidation("x-ms-version", ServiceVersion);
        message.Headers.TryAddWithoutValidation("DataServiceVersion", "3.0");
        message.Headers.TryAddWithoutValidation("MaxDataServiceVersion", "3.0;NetFx");
        message.Headers.TryAddWithoutValidation("Accept", JsonMinimalMetadata);
        if (request.IfMatch is not null)
        {
            message.Headers.TryAddWithoutValidation("If-Match", request.IfMatch);
        }

        string? contentType = null;
        if (request.Body is not null)
        {
            contentType = request.ContentType ?? JsonNoMetadata;
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            if (!request.IsBatch)
            {
                message.Headers.TryAddWithoutValidation("Prefer", "return-no-content");
            }
        }

        var resource = TableSharedKey.CanonicalizedResource(account.AccountName, uri);
        var signature = TableSharedKey.Sign(account.AccountKey, TableSharedKey.StringToSign(request.Method.Method, null, contentType, date, resource));
        message.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{account.AccountName}:{signature}");

        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var etag = response.Headers.ETag?.ToString() ?? Header(response, "ETag");
        var nextPk = Header(response, "x-ms-continuation-NextPartitionKey");
        var nextRk = Header(response, "x-ms-continuation-NextRowKey");
        var status = response.StatusCode;
        if (request.IsBatch && status == HttpStatusCode.Accepted)
        {
            var failed = BatchResponse.FirstFailure(body);
            if (failed is not null)
            {
                var (code, text) = ParseError(failed.Value.Body);
                return new TableResponse(failed.Value.Status, body, null, null, null, attempt, code, text);
            }

            return new TableResponse(status, body, BatchResponse.FirstETag(body), null, null, attempt, null, null);
        }

        if ((int)status >= 300)
        {
            var (code, text) = ParseError(body);
            code ??= Header(response, "x-ms-error-code");
            return new TableResponse(status, body, etag, null, null, attempt, code, text);
        }

        return new TableResponse(status, body, etag, nextPk, nextRk, attempt, null, null);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Reads the OData JSON error ("odata.error": code, message.value); tolerates other bodies.</summary>
    internal static (string? Code, string? Message) ParseError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("odata.error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? text = null;
                if (error.TryGetProperty("message", out var m))
                {
                    text = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
                }

                return (code, text?.Split('\n')[0]);
            }
        }
        catch (JsonException)
        {
            // Not JSON (e.g. an XML error from a proxy): report the start of the text instead.
        }

        var raw = Encoding.UTF8.GetString(body);
        return (null, raw.Length > 300 ? raw[..300] : raw);
    }
}

/// <summary>Reads the sub-responses of an entity-group transaction's multipart answer.</summary>
internal static class BatchResponse
{
    /// <summary>The first operation that did not succeed (a failed changeset carries only that one), or null.</summary>
    public static (HttpStatusCode Status, byte[] Body)? FirstFailure(byte[] multipart)
    {
        var text = Encoding.UTF8.GetString(multipart);
        var index = 0;
        while ((index = text.IndexOf("HTTP/1.1 ", index, StringComparison.Ordinal)) >= 0)
        {
            var lineEnd = text.IndexOf('\n', index);
            var line = lineEnd < 0 ? text[index..] : text[index..lineEnd];
            var parts = line.Split(' ', 3);
            index += 9;
            if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                continue;
            }

            if (code is >= 200 and < 300)
            {
                continue;
            }

            // The operation's body follows its headers (a blank line) and runs to the next boundary.
            var headersEnd = text.IndexOf("\r\n\r\n", index, StringComparison.Ordinal);
            var body = string.Empty;
            if (headersEnd >= 0)
            {
                var start = headersEnd + 4;
                var boundary = text.IndexOf("\r\n--", start, StringComparison.Ordinal);
                body = boundary < 0 ? text[start..] : text[start..boundary];
            }

            return ((HttpStatusCode)code, Encoding.UTF8.GetBytes(body.Trim()));
        }

        return null;
    }

    /// <summary>The ETag header of the first operation's response, or null when it carries none.</summary>
    public static string? FirstETag(byte[] multipart)
    {
        var text = Encoding.UTF8.GetString(multipart);
        var status = text.IndexOf("HTTP/1.1 ", StringComparison.Ordinal);
        if (status < 0)
        {
            return null;
        }

        // Only the first operation's headers: up to the blank line that ends them.
        var headersEnd = text.IndexOf("\r\n\r\n", status, StringComparison.Ordinal);
        var headers = headersEnd < 0 ? text[status..] : text[status..headersEnd];
        foreach (var line in headers.Split("\r\n"))
        {
            if (line.StartsWith("ETag:", StringComparison.OrdinalIgnoreCase))
            {
                return line["ETag:".Length..].Trim();
            }
        }

        return null;
    }
}
