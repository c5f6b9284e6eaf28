using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;

namespace Interconnect.Grains.Tests.Support;

/// <summary>One replica of an administration's node: a grain runtime over a (possibly shared) in-memory store.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private TestNode(AdministrationContext context, GrainRuntime runtime, ManualTime time)
    {
        Context = context;
        Runtime = runtime;
        Time = time;
    }

    public AdministrationContext Context { get; }

    public GrainRuntime Runtime { get; }

    public ManualTime Time { get; }

    public INodeStore Store => Context.Store;

    public NodeLog Log => Context.Log;

    public string Id => Context.AdministrationId;

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);

    public static TestNode Start(
        string administrationId = "NL",
        INodeStore? store = null,
        ISigner? signer = null,
        IKeyResolver? partnerKeys = null,
        ManualTime? time = null,
        int maxConflictRetries = 8)
    {
        time ??= new ManualTime();
        store ??= new InMemoryNodeStore();
        signer ??= EcdsaP256Signer.Generate();
        var log = new NodeLog(administrationId, store.Log, store.Entities, signer, time);
        var context = new AdministrationContext(administrationId, signer, store, log, time)
        {
            PartnerKeys = partnerKeys,
            MaxConflictRetries = maxConflictRetries,
        };
        var runtime = new GrainRuntime(time, new GrainRuntimeOptions { IdleTimeout = IdleTimeout, CollectionInterval = TimeSpan.FromHours(1) })
            .AddInterconnectGrains(context);
        return new TestNode(context, runtime, time);
    }

    public T Grain<T>(string key)
        where T : IGrainWithStringKey => Runtime.GetGrain<T>(key);

    public Task<EntityHead?> HeadAsync(string kind, string key) => Store.Entities.GetHeadAsync(new EntityKey(Id, kind, key));

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        Log.Dispose();
    }
}
