using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Interconnect.Grains.Tests.Support;

/// <summary>
/// One administration's node as a real Orleans cluster (Orleans.TestingHost, one silo) over a
/// (possibly shared) in-memory store. Two test nodes over one store are two clusters writing the same
/// ledgers: what a stale silo, or a second activation during a membership change, looks like to storage.
/// </summary>
internal sealed class TestNode : IAsyncDisposable
{
    private TestNode(AdministrationContext context, InProcessTestCluster cluster, ManualTime time)
    {
        Context = context;
        Cluster = cluster;
        Time = time;
    }

    public AdministrationContext Context { get; }

    public InProcessTestCluster Cluster { get; }

    public ManualTime Time { get; }

    public INodeStore Store => Context.Store;

    public IAdministrationLog Log => Context.Log;

    public string Id => Context.AdministrationId;

    /// <summary>This silo's entity-grain activations.</summary>
    public GrainActivations Activations => Context.Activations;

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
        var builder = new InProcessTestClusterBuilder(1);
        // The grains record into the administration's log grain, as on a node.
        builder.ConfigureSilo((_, silo) => silo.AddInterconnectGrains(sp =>
            new AdministrationContext(administrationId, signer, store, new ClusterLog(sp.GetRequiredService<IGrainFactory>(), administrationId), time)
            {
                PartnerKeys = partnerKeys,
                MaxConflictRetries = maxConflictRetries,
            }));
        var cluster = builder.Build();
        // Test classes build their nodes in constructors; xUnit runs them with no synchronization context.
        cluster.DeployAsync().GetAwaiter().GetResult();
        var context = cluster.GetSiloServiceProvider().GetRequiredService<AdministrationContext>();
        ((ClusterLog)context.Log).StartAsync().GetAwaiter().GetResult();
        return new TestNode(context, cluster, time);
    }

    public T Grain<T>(string key)
        where T : IGrainWithStringKey => Cluster.Client.GetGrain<T>(key);

    /// <summary>Deactivates the grain and waits until it is gone; the next call activates it afresh from storage.</summary>
    public Task DeactivateAsync(IAddressable grain) => Cluster.DeactivateAsync(grain);

    public Task<EntityHead?> HeadAsync(string kind, string key) => Store.Entities.GetHeadAsync(new EntityKey(Id, kind, key));

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
    }
}
