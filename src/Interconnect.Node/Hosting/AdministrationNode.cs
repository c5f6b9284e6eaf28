using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Storage;

namespace Interconnect.Node.Hosting;

/// <summary>
/// The administration this node acts for: its key, storage, Merkle log, grains and the keys it
/// trusts for its partners. One per node (a singleton of the node's container).
/// </summary>
public sealed class AdministrationNode : IAsyncDisposable
{
    /// <summary>Creates the node's core from validated options.</summary>
    public AdministrationNode(NodeOptions options, EcdsaP256Signer signer, INodeStore store, TimeProvider time, ILoggerFactory loggers, Telemetry.NodeTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(loggers);
        Id = options.AdministrationId;
        Signer = signer;
        Store = store;
        Time = time;
        Partners = [.. options.Partners.Select(p => p.Id)];
        PartnerKeys = new StaticKeyResolver(options.Partners.SelectMany(p => p.PublicKeys.Select(pem => (p.Id, PublicKey.FromPem(pem)))));
        // Entries and checkpoints are signed through a span when the node has telemetry.
        ISigner signing = telemetry is null ? signer : new Telemetry.TracedSigner(signer, telemetry);
        Log = new NodeLog(Id, store.Log, store.Entities, signing, time);
        Context = new AdministrationContext(Id, signing, store, Log, time) { PartnerKeys = PartnerKeys };
        Grains = new GrainRuntime(time, logger: loggers.CreateLogger<GrainRuntime>()).AddInterconnectGrains(Context);
    }

    /// <summary>This administration's id.</summary>
    public string Id { get; }

    /// <summary>The signing key.</summary>
    public EcdsaP256Signer Signer { get; }

    /// <summary>The node's storage.</summary>
    public INodeStore Store { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Configured partner ids.</summary>
    public IReadOnlyList<string> Partners { get; }

    /// <summary>The keys we trust for each partner.</summary>
    public IKeyResolver PartnerKeys { get; }

    /// <summary>The Merkle log over our entries.</summary>
    public NodeLog Log { get; }

    /// <summary>What our grains share.</summary>
    public AdministrationContext Context { get; }

    /// <summary>The grain runtime.</summary>
    public GrainRuntime Grains { get; }

    /// <summary>Whether <paramref name="administrationId"/> is a configured partner.</summary>
    public bool IsPartner(string administrationId) => Partners.Contains(administrationId, StringComparer.Ordinal);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Grains.DisposeAsync().ConfigureAwait(false);
        Log.Dispose();
        Signer.Dispose();
    }
}
