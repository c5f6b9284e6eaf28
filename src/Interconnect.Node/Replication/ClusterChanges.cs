using Interconnect.Node.Hosting;
using Orleans.Utilities;

namespace Interconnect.Node.Replication;

/// <summary>What a silo keeps in memory of the administration's ledgers and must reload when another silo changes it.</summary>
[GenerateSerializer]
public enum ClusterChange
{
    /// <summary>An MRA entry was written: agreement books are stale.</summary>
    Agreements,

    /// <summary>A key-set entry was written (ours, or a partner's we received): key sets are stale.</summary>
    KeySets,
}

/// <summary>A silo, told that another silo changed what it keeps in memory.</summary>
public interface IClusterChangesObserver : IGrainObserver
{
    /// <summary>Something this silo keeps in memory changed elsewhere; returns once this silo has caught up.</summary>
    Task Changed(ClusterChange change);
}

/// <summary>
/// Fans a change out to every silo of the administration's cluster (keyed by the administration id),
/// so that no silo decides on an agreement state or signs or verifies with a key set another silo has
/// moved past.
/// </summary>
public interface IClusterChangesGrain : IGrainWithStringKey
{
    /// <summary>Subscribes a silo; true when it was not subscribed (it may have missed changes).</summary>
    Task<bool> Subscribe(IClusterChangesObserver silo);

    /// <summary>Tells every subscribed silo but <paramref name="from"/>, and returns once each has caught up.</summary>
    Task Changed(ClusterChange change, IClusterChangesObserver? from);
}

/// <summary>The grain behind <see cref="IClusterChangesGrain"/>. Silos that stop answering are dropped; silos subscribe again on every poll.</summary>
internal sealed class ClusterChangesGrain(ILogger<ClusterChangesGrain> logger) : Grain, IClusterChangesGrain
{
    private readonly ObserverManager<IClusterChangesObserver> _silos = new(TimeSpan.FromMinutes(1), logger);

    public Task<bool> Subscribe(IClusterChangesObserver silo)
    {
        var before = _silos.Count;
        _silos.Subscribe(silo, silo);
        return Task.FromResult(_silos.Count > before);
    }

    public Task Changed(ClusterChange change, IClusterChangesObserver? from) =>
        _silos.Notify(silo => silo.Changed(change), silo => from is null || !silo.Equals(from));
}

/// <summary>
/// This silo's side of <see cref="IClusterChangesGrain"/>: applies changes made elsewhere (marks the
/// agreement book stale, reloads the key sets from storage) and publishes the changes made here.
/// </summary>
internal sealed partial class ClusterChanges(AdministrationNode node, AgreementBook agreements, ILogger<ClusterChanges> logger) : IClusterChangesObserver, IDisposable
{
    private readonly SemaphoreSlim _keySetReload = new(1, 1);
    private IClusterChangesObserver? _self;

    private IClusterChangesGrain Grain => node.Grains.GetGrain<IClusterChangesGrain>(node.Id);

    private IClusterChangesObserver Self => _self ??= node.Grains.ObserverReference<IClusterChangesObserver>(this);

    /// <summary>
    /// Subscribes this silo (again: subscriptions lapse after a minute, and a failed-over changes grain
    /// starts with none). A silo that was not subscribed may have missed changes, so it reloads.
    /// </summary>
    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        if (await Grain.Subscribe(Self).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            await ApplyAsync(ClusterChange.Agreements).ConfigureAwait(false);
            await ApplyAsync(ClusterChange.KeySets).ConfigureAwait(false);
        }
    }

    /// <summary>An MRA entry was written here: marks this silo's book stale and returns once every silo's is.</summary>
    public async Task AgreementsChangedAsync()
    {
        agreements.Invalidate();
        await Grain.Changed(ClusterChange.Agreements, Self).ConfigureAwait(false);
    }

    /// <summary>A key-set entry was written here (and applied here): returns once every other silo has reloaded its key sets.</summary>
    public Task KeySetsChangedAsync() => Grain.Changed(ClusterChange.KeySets, Self);

    /// <inheritdoc />
    public Task Changed(ClusterChange change) => ApplyAsync(change);

    /// <inheritdoc />
    public void Dispose() => _keySetReload.Dispose();

    private async Task ApplyAsync(ClusterChange change)
    {
        if (change == ClusterChange.Agreements)
        {
            agreements.Invalidate();
            return;
        }

        await _keySetReload.WaitAsync().ConfigureAwait(false);
        try
        {
            // Our own set: the silo signs with the key it now says is current. Partners' sets: from
            // where this silo's copy ends (entries another silo received and stored).
            await node.OwnKeys.StartAsync().ConfigureAwait(false);
            foreach (var (partner, fault) in await node.Keys.LoadAsync(node.Store.Entities).ConfigureAwait(false))
            {
                LogPartnerKeySetStopped(logger, partner, fault.Describe());
            }
        }
        finally
        {
            _keySetReload.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading the key set of partner {Partner} stopped at an entry this silo could not apply: {Fault}")]
    private static partial void LogPartnerKeySetStopped(ILogger logger, string partner, string fault);
}
