using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Receipts;
using Interconnect.Storage.Conformance;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// The row format did not change with the move to the Azure SDK: rows the REST provider wrote
/// (TestData/legacy-rows.json, its request bodies byte for byte) read back through this provider
/// as what was written, and rows this provider writes have the same properties, types and values.
/// </summary>
public sealed class LegacyRowFormatTests : IAsyncLifetime, IDisposable
{
    private static readonly EntityKey Shipment = new("GB", "shipment", "UCR/2026/LEGACY.1");
    private static readonly EntityKey Large = new("GB", "aeo-operator", "AEO-LARGE");
    private static readonly string[] Suffixes = ["entities", "log", "partners", "receipts"];

    private readonly JsonElement _golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "legacy-rows.json"))).RootElement;
    private readonly TestLedger _ledger = new();
    private readonly List<AzureTableNodeStore> _stores = [];

    public Task InitializeAsync() => Azurite.EnsureReachableAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DeleteTablesAsync();
        }
    }

    public void Dispose() => _ledger.Dispose();

    [Fact]
    public async Task Rows_written_by_the_REST_provider_read_back_as_they_were_written()
    {
        var store = await LegacyStoreAsync();
        var entries = Entries("entries");
        var large = Entry(_golden.GetProperty("expected").GetProperty("large"), TestLedger.LargeValues(4, 62_000).Select(v => v.Value).ToArray());

        Assert.Equal(new EntityHead(2, entries[1].Entry.Hash, 1), await store.Entities.GetHeadAsync(Shipment));
        EntryAssert.Same(entries, await store.Entities.ReadAsync(Shipment, 1, 10));
        EntryAssert.Same([large], await store.Entities.ReadAsync(Large, 1, 10));
        Assert.Equal([Large, Shipment], await ToListAsync(store.Entities.FindUnloggedAsync("GB")));
        Assert.Equal([Shipment], await ToListAsync(store.Entities.ListAsync("GB", "shipment")));

        Assert.Equal(2, await store.Log.GetSizeAsync());
        Assert.Equal([TestLedger.Leaf(0, entries[0]), TestLedger.Leaf(1, entries[1])], await store.Log.ReadAsync(0, 10));
        Assert.Equal(TestLedger.Leaf(1, entries[1]), await store.Log.FindAsync(entries[1].Entry.Hash));
        Assert.Equal(Checkpoint, await store.Log.GetCheckpointAsync(2));
        Assert.Equal(Checkpoint, await store.Log.GetLatestCheckpointAsync());

        var partner = await store.Partners.GetAsync("FR");
        Assert.Equal((3L, 5L, UpdatedAt, UpdatedAt.Offset), (partner!.AcknowledgedThrough, partner.ReceivedThrough, partner.UpdatedAt, partner.UpdatedAt.Offset));
        Assert.Equal(Checkpoint, partner.LastCheckpoint);
        ReceiptAssert.Same([Receipt(entries[0])], await store.Receipts.ListAsync(Shipment));
    }

    [Fact]
    public async Task Rows_written_by_the_REST_provider_take_further_writes_under_their_etags()
    {
        var store = await LegacyStoreAsync();
        var entries = Entries("entries");
        var partner = await store.Partners.GetAsync("FR");
        var next = _ledger.Next(Shipment, entries[1]);

        var head = await store.Entities.AppendAsync(Shipment, 2, [next]);
        await store.Entities.MarkLoggedAsync(Shipment, 3);
        await store.Log.AppendAsync(2, [TestLedger.Leaf(2, next)]);
        var saved = await store.Partners.SaveAsync(partner! with { AcknowledgedThrough = 4 });

        Assert.Equal(new EntityHead(3, next.Entry.Hash, 1), head);
        Assert.Equal(new EntityHead(3, next.Entry.Hash, 3), await store.Entities.GetHeadAsync(Shipment));
        Assert.Equal([Large], await ToListAsync(store.Entities.FindUnloggedAsync("GB")));
        Assert.Equal(3, await store.Log.GetSizeAsync());
        Assert.Equal(saved.Version, (await store.Partners.GetAsync("FR"))!.Version);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.Partners.SaveAsync(partner with { AcknowledgedThrough = 5 }));
    }

    [Fact]
    public async Task Rows_this_provider_writes_have_the_REST_providers_properties_types_and_values()
    {
        var legacy = await LegacyStoreAsync();
        var store = await NewStoreAsync();
        var entries = Entries("entries");
        var large = Entry(_golden.GetProperty("expected").GetProperty("large"), TestLedger.LargeValues(4, 62_000).Select(v => v.Value).ToArray());

        // The same writes the REST provider made when the golden rows were captured.
        await store.Entities.AppendAsync(Shipment, 0, entries);
        await store.Entities.MarkLoggedAsync(Shipment, 1);
        await store.Entities.AppendAsync(Large, 0, [large]);
        await store.Log.AppendAsync(0, [TestLedger.Leaf(0, entries[0]), TestLedger.Leaf(1, entries[1])]);
        await store.Log.SaveCheckpointAsync(2, Checkpoint);
        var partner = await store.Partners.SaveAsync(new PartnerState("FR", 1, null, UpdatedAt));
        await store.Partners.SaveAsync(partner with { AcknowledgedThrough = 3, ReceivedThrough = 5, LastCheckpoint = Checkpoint });
        await store.Receipts.SaveAsync(Receipt(entries[0]));

        foreach (var suffix in Suffixes)
        {
            var expected = await RowsAsync(legacy, suffix);
            var actual = await RowsAsync(store, suffix);
            Assert.Equal(expected.Keys, actual.Keys);
            Assert.True(expected.Count > 0, suffix);
            foreach (var (key, row) in expected)
            {
                Assert.Equal(row, actual[key]);
            }
        }
    }

    private static readonly DateTimeOffset UpdatedAt = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1234567);

    private byte[] Checkpoint => _golden.GetProperty("expected").GetProperty("checkpoint").GetBytesFromBase64();

    /// <summary>A store whose tables hold the golden rows exactly as the REST provider sent them.</summary>
    private async Task<AzureTableNodeStore> LegacyStoreAsync()
    {
        var store = await NewStoreAsync();
        var verbatim = new VerbatimBody();
        var options = new TableClientOptions();
        options.AddPolicy(verbatim, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(Azurite.ConnectionString, options);
        var prefix = store.EntitiesTable[..^"entities".Length];
        foreach (var table in _golden.GetProperty("rows").EnumerateObject())
        {
            var client = service.GetTableClient(prefix + table.Name);
            foreach (var row in table.Value.EnumerateArray())
            {
                verbatim.Body = BinaryData.FromString(row.GetRawText());
                await client.AddEntityAsync(new TableEntity(row.GetProperty("PartitionKey").GetString(), row.GetProperty("RowKey").GetString()));
            }
        }

        return store;
    }

    private async Task<AzureTableNodeStore> NewStoreAsync()
    {
        var store = new AzureTableNodeStore(Azurite.NewOptions(), Azurite.Http, TimeProvider.System);
        await store.InitializeAsync();
        _stores.Add(store);
        return store;
    }

    /// <summary>Every row of one table as stored: its properties with the types the service gave them, binary as hex.</summary>
    private static async Task<SortedDictionary<string, string>> RowsAsync(AzureTableNodeStore store, string suffix)
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in Azurite.Table(store.EntitiesTable[..^"entities".Length] + suffix).QueryAsync<TableEntity>())
        {
            var properties = row.Keys
                .Where(k => k is not ("Timestamp" or "odata.etag"))
                .Order(StringComparer.Ordinal)
                .Select(k => $"{k}:{row[k]!.GetType().Name}={(row[k] is byte[] b ? Convert.ToHexString(b) : Convert.ToString(row[k], CultureInfo.InvariantCulture))}");
            rows[$"{row.PartitionKey}|{row.RowKey}"] = string.Join("; ", properties);
        }

        return rows;
    }

    private DisclosedEntry[] Entries(string name) =>
        _golden.GetProperty("expected").GetProperty(name).EnumerateArray().Select(e => Entry(e, null)).ToArray();

    private static DisclosedEntry Entry(JsonElement expected, string[]? values)
    {
        var entry = LedgerEntry.Decode(expected.GetProperty("encoded").GetBytesFromBase64()).Value!;
        Assert.Equal(expected.GetProperty("hash").GetString(), entry.Hash.ToString());
        var fields = expected.GetProperty("fields").EnumerateArray()
            .Select((f, i) => new DisclosedField(f.GetProperty("name").GetString()!, values?[i] ?? f.GetProperty("value").GetString()!, f.GetProperty("salt").GetBytesFromBase64()))
            .ToImmutableArray();
        return new DisclosedEntry(entry, fields);
    }

    private StoredReceipt Receipt(DisclosedEntry entry) => new(
        Shipment, 1, entry.Entry.Hash, "FR", ReceiptVerdict.Endorsed, _golden.GetProperty("expected").GetProperty("receipt").GetBytesFromBase64(), UpdatedAt);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Sends <see cref="Body"/> instead of the body the SDK serialized: rows go to the service as the REST provider wrote them.</summary>
    private sealed class VerbatimBody : HttpPipelineSynchronousPolicy
    {
        public BinaryData? Body { get; set; }

        public override void OnSendingRequest(HttpMessage message)
        {
            if (Body is { } body && message.Request.Method == RequestMethod.Post)
            {
                message.Request.Content = RequestContent.Create(body);
            }
        }
    }
}
