using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// The outcome of one write after the SDK's retries: accepted, with the new ETag of the row that
/// matters (for a transaction, its first operation's row), or refused by the service.
/// </summary>
/// <param name="ETag">The new ETag, on success.</param>
/// <param name="Refusal">The service's refusal (for a transaction, that of the failed operation), or null.</param>
/// <param name="Attempts">How many times the request was sent.</param>
internal sealed record TableWrite(ETag? ETag, RequestFailedException? Refusal, int Attempts)
{
    public bool IsSuccess => Refusal is null;

    public HttpStatusCode Status => Refusal is null ? HttpStatusCode.NoContent : (HttpStatusCode)Refusal.Status;

    public bool IsConflict => Status is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed;

    /// <summary>An earlier attempt may have been applied although its answer was lost.</summary>
    public bool WasRetried => Attempts > 1;

    public StorageException ToException(string what) =>
        TableFailures.Describe(what, Refusal ?? throw new InvalidOperationException($"{what} succeeded; there is no refusal to report."));
}

/// <summary>The calls the stores make on a table, with the SDK's failures turned into <see cref="StorageException"/>.</summary>
internal static class TableCalls
{
    /// <summary>The service returns at most 1000 rows per page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Submits an entity-group transaction; on success the ETag is that of its first operation's row.</summary>
    public static Task<TableWrite> TryTransactAsync(this TableClient table, IReadOnlyList<TableTransactionAction> actions, string what, CancellationToken cancellationToken) =>
        TryWriteAsync(async () => (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value[0].Headers.ETag, what, cancellationToken);

    /// <summary>Inserts a row; refused with 409 when it exists.</summary>
    public static Task<TableWrite> TryAddAsync(this TableClient table, TableEntity row, string what, CancellationToken cancellationToken) =>
        TryWriteAsync(async () => (await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false)).Headers.ETag, what, cancellationToken);

    /// <summary>Replaces a row that still has <paramref name="ifMatch"/>; refused with 412 otherwise (404 when it is gone).</summary>
    public static Task<TableWrite> TryReplaceAsync(this TableClient table, TableEntity row, ETag ifMatch, string what, CancellationToken cancellationToken) =>
        TryWriteAsync(
            async () => (await table.UpdateEntityAsync(row, ifMatch, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)).Headers.ETag,
            what,
            cancellationToken);

    /// <summary>Insert Or Replace (PUT without If-Match): never a conflict.</summary>
    public static Task<TableWrite> TryUpsertAsync(this TableClient table, TableEntity row, string what, CancellationToken cancellationToken) =>
        TryWriteAsync(
            async () => (await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)).Headers.ETag,
            what,
            cancellationToken);

    /// <summary>One row, or null when the table has no such row. A missing table is a failure, not an absent row.</summary>
    public static async Task<TableRow?> GetRowAsync(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var what = $"Reading {table.Name} ({partitionKey}, {rowKey})";
        NullableResponse<TableEntity> found;
        try
        {
            found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (TableFailures.IsFailure(e, cancellationToken))
        {
            throw TableFailures.From(what, e);
        }

        if (found.HasValue)
        {
            return new TableRow(found.Value!);
        }

        // The SDK answers "no value" for any 404, TableNotFound included; only a missing row is one.
        var answer = found.GetRawResponse();
        if (answer.Headers.TryGetValue("x-ms-error-code", out var code) && code != "ResourceNotFound")
        {
            throw new StorageException($"{what} failed: HTTP {answer.Status} {(HttpStatusCode)answer.Status}, Azure error {code}: {answer.ReasonPhrase}");
        }

        return null;
    }

    /// <summary>
    /// Rows matching <paramref name="filter"/>, in key order, page after page until
    /// <paramref name="limit"/> rows or the end. A page may be empty and still continue (the service
    /// stops a scan after a time or partition boundary); the SDK follows the continuation.
    /// </summary>
    public static async IAsyncEnumerable<TableRow> QueryRowsAsync(
        this TableClient table, string filter, long limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = table.QueryAsync<TableEntity>(filter, (int)Math.Min(MaxPageSize, limit), cancellationToken: cancellationToken)
            .AsPages()
            .GetAsyncEnumerator(cancellationToken);
        await using (pages.ConfigureAwait(false))
        {
            long returned = 0;
            while (true)
            {
                bool more;
                try
                {
                    more = await pages.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (TableFailures.IsFailure(e, cancellationToken))
                {
                    throw TableFailures.From($"Querying {table.Name}", e);
                }

                if (!more)
                {
                    yield break;
                }

                foreach (var row in pages.Current.Values)
                {
                    yield return new TableRow(row);
                    if (++returned >= limit)
                    {
                        yield break;
                    }
                }
            }
        }
    }

    private static async Task<TableWrite> TryWriteAsync(Func<Task<ETag?>> write, string what, CancellationToken cancellationToken)
    {
        var attempts = new AttemptCounting.Tally();
        try
        {
            using (AttemptCounting.Scope(attempts))
            {
                var etag = await write().ConfigureAwait(false);
                return new TableWrite(etag, null, attempts.Count);
            }
        }
        catch (RequestFailedException refused) when (refused.Status != 0)
        {
            return new TableWrite(null, refused, attempts.Count);
        }
        catch (Exception e) when (TableFailures.IsFailure(e, cancellationToken))
        {
            throw TableFailures.From(what, e);
        }
    }
}

/// <summary>
/// Counts the attempts the SDK's retry policy makes for the requests sent inside a scope, so a
/// write can tell that an earlier attempt may have been applied although its answer was lost.
/// Registered per retry, so it runs once for every attempt.
/// </summary>
internal sealed class AttemptCounting : HttpPipelineSynchronousPolicy
{
    private const string Key = "Interconnect.Storage.AzureTable.Attempts";

    /// <summary>Starts counting the attempts of the requests created until the scope is disposed.</summary>
    public static IDisposable Scope(Tally tally) =>
        HttpPipeline.CreateHttpMessagePropertiesScope(new Dictionary<string, object?> { [Key] = tally });

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.TryGetProperty(Key, out var value) && value is Tally tally)
        {
            tally.Add();
        }
    }

    /// <summary>A count of attempts.</summary>
    internal sealed class Tally
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }
}

/// <summary>How the SDK's failures are reported: always as <see cref="StorageException"/>, naming what failed.</summary>
internal static class TableFailures
{
    /// <summary>
    /// Whether <paramref name="e"/> is the service refusing or not answering (after the SDK's
    /// retries), or the node's identity getting no token for it, rather than the caller cancelling
    /// or a bug.
    /// </summary>
    public static bool IsFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        RequestFailedException or AggregateException or AuthenticationFailedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    public static StorageException From(string what, Exception e) => e switch
    {
        RequestFailedException { Status: > 0 } refused => Describe(what, refused),
        AggregateException { InnerExceptions.Count: > 0 } all =>
            new($"{what} failed after {all.InnerExceptions.Count} attempts: {Cause(all.InnerExceptions[^1])}", e),
        _ => new($"{what} failed: {Cause(e)}", e),
    };

    public static StorageException Describe(string what, RequestFailedException refused) =>
        new($"{what} failed: HTTP {refused.Status} {(HttpStatusCode)refused.Status}, Azure error {refused.ErrorCode ?? "(none)"}: {FirstLine(refused.Message)}", refused);

    // A transport failure arrives as RequestFailedException (status 0) around the HttpRequestException.
    private static string Cause(Exception e)
    {
        var cause = e is RequestFailedException { Status: 0, InnerException: { } inner } ? inner : e;
        return $"{cause.GetType().Name}: {FirstLine(cause.Message)}";
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd('\r');
}
