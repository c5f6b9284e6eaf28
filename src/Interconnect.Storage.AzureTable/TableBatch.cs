using System.Text;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// An entity-group transaction: up to 100 operations on one partition of one table, applied all or
/// none. Sent as a multipart/mixed $batch holding one changeset of embedded HTTP requests.
/// </summary>
internal sealed class TableBatch(TableAccount account, string table)
{
    /// <summary>Most operations in one transaction.</summary>
    public const int MaxOperations = 100;

    /// <summary>Largest transaction payload.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private readonly List<(string Method, string Resource, string? IfMatch, byte[] Body)> _operations = [];

    public int Count => _operations.Count;

    /// <summary>Inserts a row; fails the transaction with 409 when it exists.</summary>
    public TableBatch Insert(byte[] row)
    {
        _operations.Add(("POST", table, null, row));
        return this;
    }

    /// <summary>Replaces a row that still has <paramref name="etag"/>; fails with 412 otherwise.</summary>
    public TableBatch Replace(string partitionKey, string rowKey, string etag, byte[] row)
    {
        _operations.Add(("PUT", TableKeys.EntityResource(table, partitionKey, rowKey), etag, row));
        return this;
    }

    public TableRequest ToRequest()
    {
        if (_operations.Count is 0 or > MaxOperations)
        {
            throw new InvalidOperationException($"A transaction holds 1 to {MaxOperations} operations; {_operations.Count} built.");
        }

        var batch = "batch_" + Guid.NewGuid().ToString("N");
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var body = new StringBuilder();
        body.Append("--").Append(batch).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
        foreach (var (method, resource, ifMatch, row) in _operations)
        {
            body.Append("--").Append(changeset).Append("\r\n")
                .Append("Content-Type: application/http\r\n")
                .Append("Content-Transfer-Encoding: binary\r\n\r\n")
                .Append(method).Append(' ').Append(account.Resolve(resource).AbsoluteUri).Append(" HTTP/1.1\r\n")
                .Append("Content-Type: application/json\r\n")
                .Append("Accept: ").Append(TableTransport.JsonNoMetadata).Append("\r\n")
                .Append("Prefer: return-no-content\r\n")
                .Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null)
            {
                body.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }

            // The rows are UTF-8 JSON whose non-ASCII text is \u-escaped by Utf8JsonWriter, so the
            // whole body is ASCII and string lengths equal byte lengths.
            body.Append("\r\n").Append(Encoding.UTF8.GetString(row)).Append("\r\n");
        }

        body.Append("--").Append(changeset).Append("--\r\n")
            .Append("--").Append(batch).Append("--\r\n");
        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        if (bytes.Length > MaxBytes)
        {
            throw new ArgumentException(
                $"The transaction is {bytes.Length} bytes; Azure Table storage accepts at most {MaxBytes}. Split the append.");
        }

        return new TableRequest(HttpMethod.Post, "$batch", bytes, "multipart/mixed; boundary=" + batch, IsBatch: true);
    }
}
