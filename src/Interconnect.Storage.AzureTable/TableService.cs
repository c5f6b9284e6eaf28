using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Interconnect.Storage.AzureTable;

/// <summary>The Table service operations the stores need, over <see cref="TableTransport"/>.</summary>
internal sealed class TableService(TableTransport transport)
{
    /// <summary>The service returns at most 1000 rows per page.</summary>
    public const int MaxPageSize = 1000;

    public TableAccount Account => transport.Account;

    public Task<TableResponse> SendAsync(TableRequest request, CancellationToken cancellationToken) =>
        transport.SendAsync(request, cancellationToken);

    /// <summary>Creates a table; an existing one is fine.</summary>
    public async Task CreateTableAsync(string table, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = table });
        var response = await transport.SendAsync(new TableRequest(HttpMethod.Post, "Tables", body), cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess || (response.Status == HttpStatusCode.Conflict && response.ErrorCode is null or "TableAlreadyExists"))
        {
            return;
        }

        throw response.ToException($"Creating table {table}");
    }

    /// <summary>Deletes a table; a missing one is fine.</summary>
    public async Task DeleteTableAsync(string table, CancellationToken cancellationToken)
    {
        var response = await transport.SendAsync(
            new TableRequest(HttpMethod.Delete, $"Tables({Uri.EscapeDataString(TableKeys.Literal(table))})"), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess && response.Status != HttpStatusCode.NotFound)
        {
            throw response.ToException($"Deleting table {table}");
        }
    }

    /// <summary>One row and its ETag, or null when absent.</summary>
    public async Task<(TableRow Row, string ETag)?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await transport.SendAsync(
            new TableRequest(HttpMethod.Get, TableKeys.EntityResource(table, partitionKey, rowKey)), cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound && response.ErrorCode is "ResourceNotFound" or null)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw response.ToException($"Reading {table} ({partitionKey}, {rowKey})");
        }

        using var document = response.Json();
        var row = new TableRow(document.RootElement.Clone());
        var etag = response.ETag ?? row.ETag ?? throw new StorageException($"Reading {table} ({partitionKey}, {rowKey}) returned no ETag.");
        return (row, etag);
    }

    /// <summary>
    /// Rows matching <paramref name="filter"/>, in key order, following continuation tokens until
    /// <paramref name="limit"/> rows or the end. A page may be empty and still continue (the service
    /// stops a scan after a time or partition boundary), so only a missing token ends the query.
    /// </summary>
    public async IAsyncEnumerable<TableRow> QueryAsync(
        string table, string filter, long limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? nextPartition = null;
        string? nextRow = null;
        long returned = 0;
        do
        {
            var top = (int)Math.Min(MaxPageSize, limit - returned);
            var query = new StringBuilder($"{table}()?$filter={Uri.EscapeDataString(filter)}&$top={top}");
            if (nextPartition is not null)
            {
                query.Append("&NextPartitionKey=").Append(Uri.EscapeDataString(nextPartition));
                if (nextRow is not null)
                {
                    query.Append("&NextRowKey=").Append(Uri.EscapeDataString(nextRow));
                }
            }

            var response = await transport.SendAsync(new TableRequest(HttpMethod.Get, query.ToString()), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                throw response.ToException($"Querying {table}");
            }

            using (var document = response.Json())
            {
                foreach (var element in document.RootElement.GetProperty("value").EnumerateArray())
                {
                    yield return new TableRow(element.Clone());
                    if (++returned >= limit)
                    {
                        yield break;
                    }
                }
            }

            nextPartition = response.NextPartitionKey;
            nextRow = response.NextRowKey;
        }
        while (nextPartition is not null);
    }
}
