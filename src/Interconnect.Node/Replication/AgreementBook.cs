using Interconnect.Grains.MraAgreements;
using Interconnect.Ledger.Disclosure;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>
/// The MRAs this administration is party to, folded from the chains it holds: its own proposals and
/// acceptances, and the proposers' chains received from partners. The proposer's chain is the
/// authority on an agreement's status (it alone records every acceptance). Rebuilt after any MRA
/// entry is written, so decisions follow the log order.
/// </summary>
internal sealed class AgreementBook(AdministrationNode node) : IDisposable
{
    private const int PageSize = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyDictionary<string, MraAgreementView>? _agreements;
    private long _version;
    private long _builtVersion = -1;

    /// <summary>Marks this silo's book stale.</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);


    /// <summary>Every agreement known, by id (the authoritative view of each).</summary>
    public async Task<IReadOnlyDictionary<string, MraAgreementView>> GetAsync(CancellationToken cancellationToken)
    {
        var current = _agreements;
        var version = Interlocked.Read(ref _version);
        if (current is not null && version == _builtVersion)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            version = Interlocked.Read(ref _version);
            if (_agreements is null || version != _builtVersion)
            {
                _agreements = await BuildAsync(cancellationToken).ConfigureAwait(false);
                _builtVersion = version;
            }

            return _agreements;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One agreement by id, or null.</summary>
    public async Task<MraAgreementView?> FindAsync(string agreementId, CancellationToken cancellationToken) =>
        (await GetAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(agreementId);

    /// <summary>
    /// The agreement in force between us and <paramref name="partner"/> under which <paramref name="receiver"/>
    /// receives <paramref name="entityKind"/> entries (first by id), or null.
    /// </summary>
    public async Task<MraAgreementView?> GoverningAsync(string partner, string receiver, string entityKind, CancellationToken cancellationToken)
    {
        var agreements = await GetAsync(cancellationToken).ConfigureAwait(false);
        return agreements.Values
            .Where(a => a.Status == MraStatus.InForce
                && a.Parties.Contains(node.Id, StringComparer.Ordinal)
                && a.Parties.Contains(partner, StringComparer.Ordinal)
                && a.PolicyFor(receiver)?.FieldsFor(entityKind) is not null)
            .OrderBy(a => a.AgreementId, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    public void Dispose() => _gate.Dispose();

    private async Task<IReadOnlyDictionary<string, MraAgreementView>> BuildAsync(CancellationToken cancellationToken)
    {
        var views = new Dictionary<string, MraAgreementView>(StringComparer.Ordinal);
        foreach (var origin in node.Partners.Prepend(node.Id))
        {
            await foreach (var entity in node.Store.Entities.ListAsync(origin, MraAgreementGrain.EntityKind, cancellationToken).ConfigureAwait(false))
            {
                var view = MraAgreementGrain.Replay(entity.Id, await ReadAllAsync(entity, cancellationToken).ConfigureAwait(false));
                if (view.Status == MraStatus.None || !view.Parties.Contains(node.Id, StringComparer.Ordinal))
                {
                    continue;
                }

                // The proposer's chain decides; an acceptance chain only stands in until it arrives.
                var authoritative = string.Equals(view.ProposedBy, origin, StringComparison.Ordinal);
                if (authoritative || !views.ContainsKey(entity.Id))
                {
                    views[entity.Id] = view;
                }
            }
        }

        return views;
    }

    private async Task<List<DisclosedEntry>> ReadAllAsync(EntityKey entity, CancellationToken cancellationToken)
    {
        var entries = new List<DisclosedEntry>();
        while (true)
        {
            var page = await node.Store.Entities.ReadAsync(entity, (ulong)entries.Count + 1, PageSize, cancellationToken).ConfigureAwait(false);
            entries.AddRange(page);
            if (page.Count < PageSize)
            {
                return entries;
            }
        }
    }
}
