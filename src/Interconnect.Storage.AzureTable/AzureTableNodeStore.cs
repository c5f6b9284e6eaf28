using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// A node store on Azure Table storage (or Azurite), through the Azure SDK. One administration's
/// data lives in four tables named by its prefix: {prefix}entities, {prefix}log, {prefix}partners,
/// {prefix}receipts.
/// Several instances over the same prefix (replicas of one node) are safe: every write is
/// conflict-checked with ETags inside one entity-group transaction.
/// </summary>
/// <remarks>
/// The SDK keeps its own clock (request dates, retry waits), so the <see cref="TimeProvider"/> the
/// constructors take is not consulted; they keep it so that callers built for the earlier
/// provider need not change.
/// </remarks>
public sealed class AzureTableNodeStore : INodeStore
{
    private readonly TableServiceClient _service;

    /// <summary>
    /// Creates the store, sending every request through <paramref name="httpClient"/> (owned by the
    /// caller: IHttpClientFactory, or a test's fault-injecting handler).
    /// </summary>
    public AzureTableNodeStore(AzureTableStorageOptions options, HttpClient httpClient, TimeProvider timeProvider)
        : this(options, new HttpClientTransport(httpClient ?? throw new ArgumentNullException(nameof(httpClient))), credential: null, timeProvider)
    {
    }

    /// <summary>Creates the store on the SDK's default HTTP transport.</summary>
    public AzureTableNodeStore(AzureTableStorageOptions options, TimeProvider timeProvider)
        : this(options, transport: null, credential: null, timeProvider)
    {
    }

    /// <summary>Creates the store on <paramref name="transport"/>, authorizing a <see cref="AzureTableStorageOptions.ServiceUri"/> with <paramref name="credential"/>.</summary>
    internal AzureTableNodeStore(AzureTableStorageOptions options, HttpPipelineTransport? transport, TokenCredential? credential, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _service = options.CreateServiceClient(transport, credential);
        EntitiesTable = options.TablePrefix + "entities";
        LogTable = options.TablePrefix + "log";
        PartnersTable = options.TablePrefix + "partners";
        ReceiptsTable = options.TablePrefix + "receipts";
        Entities = new AzureEntityLedgerStore(_service.GetTableClient(EntitiesTable));
        Log = new AzureMerkleLogStore(_service.GetTableClient(LogTable));
        Partners = new AzurePartnerStateStore(_service.GetTableClient(PartnersTable));
        Receipts = new AzureReceiptStore(_service.GetTableClient(ReceiptsTable));
    }

    /// <inheritdoc />
    public IEntityLedgerStore Entities { get; }

    /// <inheritdoc />
    public IMerkleLogStore Log { get; }

    /// <inheritdoc />
    public IPartnerStateStore Partners { get; }

    /// <inheritdoc />
    public IReceiptStore Receipts { get; }

    /// <summary>The entity ledger table.</summary>
    public string EntitiesTable { get; }

    /// <summary>The Merkle log table.</summary>
    public string LogTable { get; }

    /// <summary>The partner state table.</summary>
    public string PartnersTable { get; }

    /// <summary>The receipts table.</summary>
    public string ReceiptsTable { get; }

    /// <summary>
    /// Whether the storage service answers an authorized request (a listing of at most one table):
    /// null when it does, otherwise why not. For a node that waits for its storage before starting.
    /// </summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var page in _service.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
            {
                break;
            }

            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Any failure means the node cannot work with this storage yet: refused connections,
            // timeouts, a refused credential. The SDK's message says which.
            return Describe(e);
        }
    }

    // The SDK wraps the last attempt's failure ("Retry failed after N tries" around a request failure
    // around the socket's): the service's own answer, or else the innermost failure, says it plainly.
    private static string Describe(Exception e)
    {
        var last = e is AggregateException { InnerExceptions.Count: > 0 } retries ? retries.InnerExceptions[^1] : e;
        return last switch
        {
            RequestFailedException { Status: > 0 } answered => $"{answered.Status} {answered.ErrorCode}: {answered.Message}",
            RequestFailedException { InnerException: { } cause } => cause.Message,
            _ => last.Message,
        };
    }

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        ForEachTableAsync("Creating", table => _service.CreateTableIfNotExistsAsync(table, cancellationToken), cancellationToken);

    /// <summary>Deletes this administration's tables and everything in them (decommissioning, tests); a missing table is fine.</summary>
    /// <remarks>The SDK answers a missing table's 404 without throwing.</remarks>
    public Task DeleteTablesAsync(CancellationToken cancellationToken = default) =>
        ForEachTableAsync("Deleting", table => _service.DeleteTableAsync(table, cancellationToken), cancellationToken);

    private async Task ForEachTableAsync(string doing, Func<string, Task> operation, CancellationToken cancellationToken)
    {
        foreach (var table in Tables)
        {
            try
            {
                await operation(table).ConfigureAwait(false);
            }
            catch (Exception e) when (TableFailures.IsFailure(e, cancellationToken))
            {
                throw TableFailures.From($"{doing} table {table}", e);
            }
        }
    }

    private string[] Tables => [EntitiesTable, LogTable, PartnersTable, ReceiptsTable];
}
