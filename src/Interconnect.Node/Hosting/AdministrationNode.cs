using Interconnect.Grains.KeySets;
using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Replication;
using Interconnect.Storage;

namespace Interconnect.Node.Hosting;

/// <summary>
/// The administration this node acts for: its keys and key set, storage, Merkle log, grains and the
/// key sets it holds for its partners. One per silo (a singleton of the node's container).
/// </summary>
public sealed partial class AdministrationNode : IAsyncDisposable
{
    private readonly IReadOnlyList<EcdsaP256Signer> _held;
    private readonly ILogger _logger;

    /// <summary>Creates the node's core from validated options; <see cref="StartAsync"/> loads its state.</summary>
    public AdministrationNode(
        NodeOptions options, EcdsaP256Signer signer, INodeStore store, TimeProvider time, ILoggerFactory loggers, IGrainFactory grains, Telemetry.NodeTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(loggers);
        Id = options.AdministrationId;
        Store = store;
        Time = time;
        _logger = loggers.CreateLogger<AdministrationNode>();
        _held = [signer, .. NodeOptionsValidation.LoadAdditionalSigners(options)];
        Partners = [.. options.Partners.Select(p => p.Id)];

        // Entries and checkpoints are signed through a span when the node has telemetry.
        Func<ISigner, ISigner>? traced = telemetry is null ? null : key => new Telemetry.TracedSigner(key, telemetry);
        Signer = new NodeSigner(time);
        Log = new ClusterLog(grains, Id);
        OwnKeys = new OwnKeySet(Id, store, Log, Signer, _held, time, traced);
        Keys = new MeshKeys(
            options.Partners.Where(p => p.PublicKeys.Count > 0).Select(p => (p.Id, (IReadOnlyList<PublicKey>)[.. p.PublicKeys.Select(PublicKey.FromPem)])),
            OwnKeys);
        Context = new AdministrationContext(Id, Signer, store, Log, time) { PartnerKeys = Keys };
        Grains = new NodeGrains(grains, Context.Activations);
    }

    /// <summary>This administration's id.</summary>
    public string Id { get; }

    /// <summary>The signing key: whichever held key our key set says is current.</summary>
    public NodeSigner Signer { get; }

    /// <summary>Our own key set (a ledger entity) and the private keys we hold.</summary>
    public OwnKeySet OwnKeys { get; }

    /// <summary>Every key we trust, by administration and time: partners' key sets (or configured keys until one arrives) and ours.</summary>
    public MeshKeys Keys { get; }

    /// <summary>The node's storage.</summary>
    public INodeStore Store { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Configured partner ids.</summary>
    public IReadOnlyList<string> Partners { get; }

    /// <summary>The keys we trust for each partner (and for our own past entries), resolved by time.</summary>
    public IKeyResolver PartnerKeys => Keys;

    /// <summary>The Merkle log over our entries: the cluster's one log grain, reached from this silo.</summary>
    public ClusterLog Log { get; }

    /// <summary>What our grains share.</summary>
    public AdministrationContext Context { get; }

    /// <summary>The grains of this administration's cluster, reached from this silo.</summary>
    public NodeGrains Grains { get; }

    /// <summary>Whether <paramref name="administrationId"/> is a configured partner.</summary>
    public bool IsPartner(string administrationId) => Partners.Contains(administrationId, StringComparer.Ordinal);

    /// <summary>Prepares storage, recovers the log, loads (or starts) our key set and rebuilds the partners' key sets from storage.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Log.StartAsync(cancellationToken).ConfigureAwait(false);
        await OwnKeys.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (partner, fault) in await Keys.LoadAsync(Store.Entities, cancellationToken).ConfigureAwait(false))
        {
            LogPartnerKeySetStopped(_logger, partner, fault.Describe());
        }

        if (Signer.Unavailable is { } why)
        {
            LogCannotSign(_logger, Id, why);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        OwnKeys.Dispose();
        foreach (var key in _held)
        {
            key.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored key set of partner {Partner} stops at a refused entry (was its pinned genesis key changed?): {Fault}")]
    private static partial void LogPartnerKeySetStopped(ILogger logger, string partner, string fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "Administration {AdministrationId} cannot sign: {Reason}")]
    private static partial void LogCannotSign(ILogger logger, string administrationId, string reason);
}

/// <summary>Grain references of this administration's cluster, and this silo's activation counts.</summary>
public sealed class NodeGrains(IGrainFactory factory, GrainActivations activations)
{
    /// <summary>A reference to the grain with that key; activates it (on some silo) on the first call.</summary>
    public T GetGrain<T>(string key)
        where T : IGrainWithStringKey => factory.GetGrain<T>(key);

    /// <summary>A reference other silos' grains can call <paramref name="observer"/> on, in this silo.</summary>
    public T ObserverReference<T>(T observer)
        where T : IGrainObserver => factory.CreateObjectReference<T>(observer);

    /// <summary>Entity-grain activations this silo created since start.</summary>
    public long ActivationsCreated => activations.Created;

    /// <summary>Entity-grain activations in this silo's memory now.</summary>
    public long ActiveCount => activations.Active;
}
