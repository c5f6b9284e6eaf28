using Interconnect.Grains.KeySets;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>
/// The keys this node trusts, per administration and by time: each partner's key set, anchored on the
/// first key configured for it (the genesis key exchanged at onboarding), and our own key set. Until a
/// partner's key-set genesis has arrived its configured keys verify as before; once the set is held
/// it alone decides.
/// </summary>
public sealed class MeshKeys : IKeyResolver
{
    private readonly KeyRegistry _partners = new();
    private readonly StaticKeyResolver _configured;
    private readonly OwnKeySet _own;

    /// <summary>Trusts <paramref name="partners"/>' configured keys (the first one pinned as genesis) and our <paramref name="own"/> set.</summary>
    public MeshKeys(IEnumerable<(string Partner, IReadOnlyList<PublicKey> Keys)> partners, OwnKeySet own)
    {
        ArgumentNullException.ThrowIfNull(partners);
        ArgumentNullException.ThrowIfNull(own);
        var list = partners.ToList();
        _configured = new StaticKeyResolver(list.SelectMany(p => p.Keys.Select(k => (p.Partner, k))));
        foreach (var (partner, keys) in list)
        {
            _partners.Add(new KeySet(new TrustAnchor.GenesisKey(partner, keys[0].KeyId)));
        }

        _own = own;
    }

    /// <summary>Our own key set (null before the node has started).</summary>
    public KeySet? Own => _own.KeySet;

    /// <summary>The key set held for <paramref name="partner"/> (empty until its genesis arrives), or null for a stranger.</summary>
    public KeySet? Partner(string partner) => _partners.Find(partner);

    /// <summary>True once <paramref name="partner"/>'s key set genesis is held (its configured keys no longer decide).</summary>
    public bool HoldsKeySet(string partner) => _partners.Find(partner)?.Head is not null;

    /// <summary>Rebuilds each partner's key set from the key-set entries stored for it; returns the faults met, by partner.</summary>
    public async Task<IReadOnlyDictionary<string, KeySetFault>> LoadAsync(IEntityLedgerStore entities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var faults = new Dictionary<string, KeySetFault>(StringComparer.Ordinal);
        foreach (var partner in _partners.Administrations)
        {
            var keySet = _partners.Find(partner)!;
            var entity = new EntityKey(partner, KeySetFormat.EntityKind, partner);
            while (true)
            {
                var next = (keySet.Head?.Sequence ?? 0) + 1;
                var page = await entities.ReadAsync(entity, next, 500, cancellationToken).ConfigureAwait(false);
                foreach (var entry in page)
                {
                    if (keySet.Apply(entry) is { } fault)
                    {
                        // Stored only after it applied, so this is a changed pin (or a damaged store): stop there, and say so.
                        faults[partner] = fault;
                        break;
                    }
                }

                if (faults.ContainsKey(partner) || page.Count < 500)
                {
                    break;
                }
            }
        }

        return faults;
    }

    /// <summary>Checks <paramref name="entry"/> as the next event of its origin's key set without applying it.</summary>
    public KeySetFault? Check(DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var body = entry.Entry.Body;
        return _partners.Find(body.Origin) is { } keySet
            ? keySet.Fork().Apply(entry)
            : new KeySetFault.UnknownAdministration(body.Sequence, body.Origin);
    }

    /// <summary>Applies a partner's key-set entry (already checked and stored).</summary>
    public KeySetFault? Apply(DisclosedEntry entry) => _partners.Apply(entry);

    /// <inheritdoc />
    public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at)
    {
        if (_own.KeySet is { } own && string.Equals(origin, own.Administration, StringComparison.Ordinal))
        {
            return own.Resolve(origin, keyId, at);
        }

        return HoldsKeySet(origin) ? _partners.Resolve(origin, keyId, at) : _configured.Resolve(origin, keyId, at);
    }

    /// <summary>
    /// The key <paramref name="keyId"/> of <paramref name="origin"/> if it was revoked effective at or
    /// before <paramref name="at"/> (itself, or a key up the chain that authorized it), with the revocation.
    /// </summary>
    public (AdministrationKey Key, KeyRevocation Revocation)? RevokedAt(string origin, string keyId, DateTimeOffset at)
    {
        var keySet = string.Equals(origin, _own.KeySet?.Administration, StringComparison.Ordinal) ? _own.KeySet : _partners.Find(origin);
        return keySet?.RevocationReaching(keyId, at);
    }
}
