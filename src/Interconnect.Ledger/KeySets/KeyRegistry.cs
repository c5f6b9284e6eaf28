using System.Collections.Immutable;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.KeySets;

/// <summary>
/// The key sets of the administrations a node deals with (its own and its partners'), one per
/// administration; resolves any of their keys. Unknown administrations resolve as unknown keys.
/// </summary>
public sealed class KeyRegistry : IKeyResolver
{
    private ImmutableDictionary<string, KeySet> _keySets = ImmutableDictionary.Create<string, KeySet>(StringComparer.Ordinal);

    /// <summary>The administrations held.</summary>
    public IReadOnlyCollection<string> Administrations => _keySets.Keys.ToImmutableArray();

    /// <summary>Adds an administration's key set; refuses a second set for the same administration.</summary>
    public void Add(KeySet keySet)
    {
        ArgumentNullException.ThrowIfNull(keySet);
        var before = ImmutableInterlocked.GetOrAdd(ref _keySets, keySet.Administration, keySet);
        if (!ReferenceEquals(before, keySet))
        {
            // Replacing a set would silently swap a partner's trust anchor; that needs a deliberate re-pin.
            throw new InvalidOperationException($"A key set for {keySet.Administration} is already held.");
        }
    }

    /// <summary>The key set of <paramref name="administration"/>, or null.</summary>
    public KeySet? Find(string administration) => _keySets.GetValueOrDefault(administration);

    /// <summary>Applies a key-set entry to the set of its origin.</summary>
    /// <returns>Null when applied; otherwise the fault (<see cref="KeySetFault.UnknownAdministration"/> for an origin not held).</returns>
    public KeySetFault? Apply(DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var body = entry.Entry.Body;
        return _keySets.TryGetValue(body.Origin, out var keySet)
            ? keySet.Apply(entry)
            : new KeySetFault.UnknownAdministration(body.Sequence, body.Origin);
    }

    /// <inheritdoc />
    public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at) =>
        _keySets.TryGetValue(origin, out var keySet) ? keySet.Resolve(origin, keyId, at) : new KeyLookup.Unknown();
}
