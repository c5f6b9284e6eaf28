namespace Interconnect.Ledger.Signing;

/// <summary>Finds the key an administration used, as it stood at a given time.</summary>
public interface IKeyResolver
{
    /// <summary>Looks up <paramref name="keyId"/> of <paramref name="origin"/> for a signature made at <paramref name="at"/>.</summary>
    KeyLookup Resolve(string origin, string keyId, DateTimeOffset at);
}

/// <summary>The outcome of a key lookup: found, unknown, or known but not valid at that time.</summary>
public abstract record KeyLookup
{
    private KeyLookup()
    {
    }

    /// <summary>The key was valid at the time asked.</summary>
    public sealed record Found(PublicKey Key) : KeyLookup;

    /// <summary>No such key for that administration.</summary>
    public sealed record Unknown : KeyLookup;

    /// <summary>The key exists but was not valid at the time asked.</summary>
    /// <param name="ValidFrom">When the key became valid.</param>
    /// <param name="ValidUntil">When it stopped being valid (rotation or revocation), if it did.</param>
    /// <param name="Reason">Why, with times: "not yet valid", "rotated at ...", "revoked at ...: reason", "added under key ..., revoked at ...".</param>
    public sealed record NotValidAt(DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, string Reason) : KeyLookup;
}

/// <summary>A fixed set of keys valid for all time; for tests and for trust anchors.</summary>
public sealed class StaticKeyResolver(IEnumerable<(string Origin, PublicKey Key)> keys) : IKeyResolver
{
    private readonly Dictionary<(string, string), PublicKey> _keys = keys.ToDictionary(k => (k.Origin, k.Key.KeyId), k => k.Key);

    /// <inheritdoc />
    public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at) =>
        _keys.TryGetValue((origin, keyId), out var key) ? new KeyLookup.Found(key) : new KeyLookup.Unknown();
}
