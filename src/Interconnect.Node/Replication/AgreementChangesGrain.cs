using Orleans.Utilities;

namespace Interconnect.Node.Replication;

/// <summary>A silo's agreement book, told that an MRA entry was written somewhere in the cluster.</summary>
public interface IAgreementsObserver : IGrainObserver
{
    /// <summary>An MRA entry was written: the book is stale.</summary>
    Task AgreementsChanged();
}

/// <summary>
/// Fans a change of the administration's agreements out to every silo's agreement book (keyed by the
/// administration id), so that a decision on one silo (may this partner receive this entry? does an
/// agreement govern this one?) never rests on an agreement state another silo has moved past.
/// </summary>
public interface IAgreementChangesGrain : IGrainWithStringKey
{
    /// <summary>Subscribes a silo's book; true when it was not subscribed (it may have missed changes).</summary>
    Task<bool> Subscribe(IAgreementsObserver book);

    /// <summary>An MRA entry was written: tells every subscribed book, and returns once each has been told.</summary>
    Task Changed();
}

/// <summary>The grain behind <see cref="IAgreementChangesGrain"/>. Books that stop answering are dropped; silos subscribe again on every poll.</summary>
internal sealed class AgreementChangesGrain(ILogger<AgreementChangesGrain> logger) : Grain, IAgreementChangesGrain
{
    private readonly ObserverManager<IAgreementsObserver> _books = new(TimeSpan.FromMinutes(1), logger);

    public Task<bool> Subscribe(IAgreementsObserver book)
    {
        var before = _books.Count;
        _books.Subscribe(book, book);
        return Task.FromResult(_books.Count > before);
    }

    public Task Changed() => _books.Notify(book => book.AgreementsChanged());
}
