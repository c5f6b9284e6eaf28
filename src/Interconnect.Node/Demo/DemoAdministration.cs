using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using Interconnect.Storage.InMemory;

namespace Interconnect.Node.Demo;

/// <summary>One administration of the demo: its key, key set, storage, Merkle log and grain runtime.</summary>
internal sealed class DemoAdministration : IAsyncDisposable
{
    private DemoAdministration(string id, TimeProvider time)
    {
        Id = id;
        Signer = EcdsaP256Signer.Generate();
        Store = new InMemoryNodeStore();
        Log = new NodeLog(id, Store.Log, Store.Entities, Signer, time);
        Context = new AdministrationContext(id, Signer, Store, Log, time);
        Runtime = new GrainRuntime(time);
        Runtime.Register<IAeoOperatorGrain>(_ => new AeoOperatorGrain(Context));
        KeySetGenesis = new KeySetAuthor(id).Genesis(Signer, Ledger.Entries.EntryBody.TruncateToMicros(time.GetUtcNow()));
    }

    public string Id { get; }

    public EcdsaP256Signer Signer { get; }

    public InMemoryNodeStore Store { get; }

    public NodeLog Log { get; }

    public AdministrationContext Context { get; }

    public GrainRuntime Runtime { get; }

    /// <summary>The first entry of this administration's key set, handed to partners with the pinned anchor.</summary>
    public DisclosedEntry KeySetGenesis { get; }

    /// <summary>What partners pin out of band (e.g. in the signed MRA text): the genesis key id.</summary>
    public TrustAnchor Anchor => new TrustAnchor.GenesisKey(Id, Signer.KeyId);

    public static async Task<DemoAdministration> StartAsync(string id, TimeProvider time)
    {
        var administration = new DemoAdministration(id, time);
        await administration.Store.InitializeAsync().ConfigureAwait(false);
        await administration.Log.StartAsync().ConfigureAwait(false);
        return administration;
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync().ConfigureAwait(false);
        Log.Dispose();
        Signer.Dispose();
    }
}
