namespace Interconnect.Storage.AzureTable;

/// <summary>
/// A node store on Azure Table storage (or Azurite), spoken over REST. One administration's data
/// lives in four tables named by its prefix: {prefix}entities, {prefix}log, {prefix}partners,
/// {prefix}receipts.
/// Several instances over the same prefix (replicas of one node) are safe: every write is
/// conflict-checked with ETags inside one entity-group transaction.
/// </summary>
public sealed class AzureTableNodeStore : INodeStore
{
    private readonly TableService _service;

    /// <summary>Creates the store; <paramref name="httpClient"/> is owned by the caller (IHttpClientFactory).</summary>
    public AzureTableNodeStore(AzureTableStorageOptions options, HttpClient httpClient, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        var account = TableAccount.Parse(options.ConnectionString);
        _service = new TableService(new TableTransport(account, httpClient, timeProvider, options));
        EntitiesTable = options.TablePrefix + "entities";
        LogTable = options.TablePrefix + "log";
        PartnersTable = options.TablePrefix + "partners";
        ReceiptsTable = options.TablePrefix + "receipts";
        Entities = new AzureEntityLedgerStore(_service, EntitiesTable);
        Log = new AzureMerkleLogStore(_service, LogTable);
        Partners = new AzurePartnerStateStore(_service, PartnersTable);
        Receipts = new AzureReceiptStore(_service, ReceiptsTable);
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

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in Tables)
        {
            await _service.CreateTableAsync(table, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes this administration's tables and everything in them (decommissioning, tests).</summary>
    public async Task DeleteTablesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in Tables)
        {
            await _service.DeleteTableAsync(table, cancellationToken).ConfigureAwait(false);
        }
    }

    private string[] Tables => [EntitiesTable, LogTable, PartnersTable, ReceiptsTable];
}
