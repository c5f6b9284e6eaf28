using System.Collections.Immutable;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.KeySets;

/// <summary>
/// One administration's signing keys: the fold of its key-set chain, trusted from a pinned
/// <see cref="TrustAnchor"/>. Resolves that administration's keys as they stood at any time.
/// Reads see a consistent snapshot; <see cref="Apply"/> is all-or-nothing.
/// </summary>
public sealed class KeySet : IKeyResolver
{
    private readonly Lock _applying = new();
    private volatile Snapshot _state;

    /// <summary>An empty key set that accepts only the genesis matching <paramref name="anchor"/>.</summary>
    public KeySet(TrustAnchor anchor)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        Anchor = anchor;
        _state = Snapshot.Empty;
    }

    private KeySet(TrustAnchor anchor, Snapshot state)
    {
        Anchor = anchor;
        _state = state;
    }

    /// <summary>What this set is trusted from.</summary>
    public TrustAnchor Anchor { get; }

    /// <summary>The administration whose keys these are.</summary>
    public string Administration => Anchor.Administration;

    /// <summary>The last entry applied, or null before the genesis.</summary>
    public EntryBody? Head => _state.Head;

    /// <summary>The keys in the order they were added.</summary>
    public IReadOnlyList<AdministrationKey> Keys
    {
        get
        {
            var state = _state;
            return state.Order.Select(id => state.Keys[id]).ToImmutableArray();
        }
    }

    /// <summary>A key by id, with its history, or null.</summary>
    public AdministrationKey? Find(string keyId) => _state.Keys.GetValueOrDefault(keyId);

    /// <summary>The keys that could sign at <paramref name="at"/>.</summary>
    public IReadOnlyList<AdministrationKey> ValidAt(DateTimeOffset at)
    {
        var state = _state;
        return state.Order.Where(id => Check(state, id, at) is KeyLookup.Found).Select(id => state.Keys[id]).ToImmutableArray();
    }

    /// <summary>A copy that evolves apart from this one (for an author continuing from a loaded set).</summary>
    public KeySet Fork() => new(Anchor, _state);

    /// <summary>Folds a whole chain from the genesis; stops at the first refused entry.</summary>
    public static KeySetLoad Load(TrustAnchor anchor, IEnumerable<DisclosedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var set = new KeySet(anchor);
        var applied = 0;
        foreach (var entry in entries)
        {
            var fault = set.Apply(entry);
            if (fault is not null)
            {
                return new KeySetLoad(set, applied, fault);
            }

            applied++;
        }

        return new KeySetLoad(set, applied, null);
    }

    /// <summary>
    /// Validates <paramref name="entry"/> as the next event of this set and, if it is valid, applies it.
    /// </summary>
    /// <returns>Null when applied; otherwise exactly what is wrong, and the set is unchanged.</returns>
    public KeySetFault? Apply(DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_applying)
        {
            var fault = Evaluate(_state, entry, out var next);
            if (fault is null)
            {
                _state = next!;
            }

            return fault;
        }
    }

    /// <inheritdoc />
    public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at) =>
        string.Equals(origin, Administration, StringComparison.Ordinal) ? Check(_state, keyId, at) : new KeyLookup.Unknown();

    private KeySetFault? Evaluate(Snapshot state, DisclosedEntry disclosed, out Snapshot? next)
    {
        next = null;
        var entry = disclosed.Entry;
        var body = entry?.Body ?? throw new ArgumentException("The disclosed entry carries no entry.", nameof(disclosed));
        var at = body.Timestamp;
        if (!string.Equals(body.Origin, Administration, StringComparison.Ordinal)
            || !string.Equals(body.EntityKind, KeySetFormat.EntityKind, StringComparison.Ordinal)
            || !string.Equals(body.EntityId, Administration, StringComparison.Ordinal))
        {
            return new KeySetFault.NotThisKeySet(
                body.Sequence, $"{Administration}/{KeySetFormat.EntityKind}/{Administration}", $"{body.Origin}/{body.EntityKind}/{body.EntityId}");
        }

        if (ChainVerifier.VerifyLink(state.Head, body) is { } linkFault)
        {
            return new KeySetFault.Chain(linkFault);
        }

        // A default (never initialized) field array would throw inside VerifyFields; it discloses nothing.
        if (disclosed.Fields.IsDefault)
        {
            disclosed = disclosed with { Fields = [] };
        }

        if (disclosed.VerifyFields() is { } disclosureFault)
        {
            return new KeySetFault.FieldsDoNotVerify(body.Sequence, disclosureFault);
        }

        var readFault = KeyEvent.TryRead(disclosed, out var keyEvent);
        if (readFault is not null)
        {
            return readFault;
        }

        if (state.Head is null)
        {
            return Genesis(body, entry, keyEvent!, out next);
        }

        // What the event says is checked first so that, say, rotating a revoked key is reported as
        // exactly that rather than as a signer problem; nothing is kept unless the signer checks out too.
        var effect = keyEvent switch
        {
            KeyEvent.Added added => AddKey(state, body, added.Key, out next),
            KeyEvent.Rotated rotated => Rotate(state, body, rotated, out next),
            KeyEvent.Revoked revoked => Revoke(state, body, revoked, out next),
            _ => throw new InvalidOperationException($"Unhandled key event {keyEvent}."),
        };
        if (effect is not null)
        {
            return effect;
        }

        // Authority is judged on the set as it stood before this entry, so a rotation or
        // self-revocation can be signed by the very key it ends.
        var authority = Check(state, body.KeyId, at) switch
        {
            KeyLookup.Found found => found.Key.Verify(body.SigningInput, entry.Signature, body.Algorithm)
                ? null
                : (KeySetFault)new KeySetFault.BadSignature(body.Sequence, body.KeyId),
            KeyLookup.NotValidAt nv => new KeySetFault.NotSignedByValidKey(body.Sequence, body.KeyId, at, nv.Reason),
            _ => new KeySetFault.NotSignedByValidKey(body.Sequence, body.KeyId, at, "unknown key"),
        };
        if (authority is not null)
        {
            next = null;
        }

        return authority;
    }

    private KeySetFault? Genesis(EntryBody body, LedgerEntry entry, KeyEvent keyEvent, out Snapshot? next)
    {
        next = null;
        if (keyEvent is not KeyEvent.Added added)
        {
            return new KeySetFault.GenesisMustAddKey(body.Sequence, body.EntryType);
        }

        var key = added.Key;
        if (!string.Equals(body.KeyId, key.KeyId, StringComparison.Ordinal))
        {
            return new KeySetFault.GenesisNotSelfSigned(body.Sequence, key.KeyId, body.KeyId);
        }

        if (!Anchor.Matches(body, key.KeyId))
        {
            return new KeySetFault.AnchorMismatch(body.Sequence, Anchor, key.KeyId, body.Hash);
        }

        if (!key.Verify(body.SigningInput, entry.Signature, body.Algorithm))
        {
            return new KeySetFault.BadSignature(body.Sequence, body.KeyId);
        }

        next = Snapshot.Empty.With(body, new AdministrationKey(key, body.Timestamp, body.Sequence, key.KeyId, null, null));
        return null;
    }

    private static KeySetFault.DuplicateKey? AddKey(Snapshot state, EntryBody body, PublicKey key, out Snapshot? next)
    {
        next = null;
        if (state.Keys.ContainsKey(key.KeyId))
        {
            return new KeySetFault.DuplicateKey(body.Sequence, key.KeyId);
        }

        next = state.With(body, new AdministrationKey(key, body.Timestamp, body.Sequence, body.KeyId, null, null));
        return null;
    }

    private static KeySetFault? Rotate(Snapshot state, EntryBody body, KeyEvent.Rotated rotated, out Snapshot? next)
    {
        next = null;
        if (!state.Keys.TryGetValue(rotated.Replaces, out var old))
        {
            return new KeySetFault.UnknownKey(body.Sequence, rotated.Replaces);
        }

        if (old.EndedBy(body.Timestamp) is { } how)
        {
            return new KeySetFault.KeyAlreadyEnded(body.Sequence, old.KeyId, old.ValidUntil!.Value, how);
        }

        if (!string.Equals(body.KeyId, old.KeyId, StringComparison.Ordinal))
        {
            return new KeySetFault.RotationNotSignedByReplacedKey(body.Sequence, old.KeyId, body.KeyId);
        }

        if (state.Keys.ContainsKey(rotated.Key.KeyId))
        {
            return new KeySetFault.DuplicateKey(body.Sequence, rotated.Key.KeyId);
        }

        next = state
            .With(body, old with { Rotation = new KeyRotation(body.Timestamp, rotated.Key.KeyId, body.Sequence) })
            .With(body, new AdministrationKey(rotated.Key, body.Timestamp, body.Sequence, old.KeyId, null, null));
        return null;
    }

    private static KeySetFault? Revoke(Snapshot state, EntryBody body, KeyEvent.Revoked revoked, out Snapshot? next)
    {
        next = null;
        if (!state.Keys.TryGetValue(revoked.KeyId, out var key))
        {
            return new KeySetFault.UnknownKey(body.Sequence, revoked.KeyId);
        }

        // A revocation must shorten the key's validity; one that changes nothing is refused so that
        // the history says only things that matter. An earlier effectiveAt for an ended key does matter.
        if (key.EndedBy(revoked.EffectiveAt) is { } how)
        {
            return new KeySetFault.KeyAlreadyEnded(body.Sequence, key.KeyId, key.ValidUntil!.Value, how);
        }

        var revocation = new KeyRevocation(revoked.EffectiveAt, revoked.Reason, body.Sequence, body.Timestamp);
        next = state.With(body, key with { Revocation = revocation });
        return null;
    }

    /// <summary>
    /// A key's validity at a time: its own interval [ValidFrom, ValidUntil), and every key up the chain
    /// of keys that authorized it not revoked by the time it authorized. The second rule is what makes
    /// an emergency revocation reach the keys a stolen key added after the compromise.
    /// </summary>
    private static KeyLookup Check(Snapshot state, string keyId, DateTimeOffset at)
    {
        if (!state.Keys.TryGetValue(keyId, out var key))
        {
            return new KeyLookup.Unknown();
        }

        if (key.EndedBy(at) is { } ended)
        {
            return new KeyLookup.NotValidAt(key.ValidFrom, key.ValidUntil, ended);
        }

        if (at < key.ValidFrom)
        {
            return new KeyLookup.NotValidAt(key.ValidFrom, key.ValidUntil, "not yet valid");
        }

        if (VoidingAuthorizer(state, key) is var (authorizer, r))
        {
            return new KeyLookup.NotValidAt(
                key.ValidFrom,
                key.ValidUntil,
                $"added under key {authorizer.KeyId}, revoked at {KeySetFormat.FormatTime(r.EffectiveAt)}: {r.Reason}");
        }

        return new KeyLookup.Found(key.PublicKey);
    }

    /// <summary>
    /// The revocation that ends <paramref name="keyId"/> at <paramref name="at"/>, with the key it names:
    /// the key's own, effective by then, or that of a key up the chain that authorized it, revoked by the
    /// time it did. Null when no revocation reaches it (it may still be unknown, rotated or not yet valid).
    /// </summary>
    public (AdministrationKey Key, KeyRevocation Revocation)? RevocationReaching(string keyId, DateTimeOffset at)
    {
        var state = _state;
        if (!state.Keys.TryGetValue(keyId, out var key))
        {
            return null;
        }

        return key.Revocation is { } own && own.EffectiveAt <= at ? (key, own) : VoidingAuthorizer(state, key);
    }

    // Rotations of an authorizer do not matter here: the signer check at Apply already ensured it was
    // not rotated away when it signed. Only revocations can reach back in time.
    private static (AdministrationKey Authorizer, KeyRevocation Revocation)? VoidingAuthorizer(Snapshot state, AdministrationKey key)
    {
        for (var current = key; !current.IsGenesis;)
        {
            var authorizer = state.Keys[current.AuthorizedBy];
            if (authorizer.Revocation is { } r && r.EffectiveAt <= current.ValidFrom)
            {
                return (authorizer, r);
            }

            current = authorizer;
        }

        return null;
    }

    private sealed record Snapshot(EntryBody? Head, ImmutableDictionary<string, AdministrationKey> Keys, ImmutableList<string> Order)
    {
        public static Snapshot Empty { get; } = new(null, ImmutableDictionary.Create<string, AdministrationKey>(StringComparer.Ordinal), []);

        public Snapshot With(EntryBody head, AdministrationKey key) =>
            new(head, Keys.SetItem(key.KeyId, key), Keys.ContainsKey(key.KeyId) ? Order : Order.Add(key.KeyId));
    }
}

/// <summary>The outcome of folding a key-set chain.</summary>
/// <param name="KeySet">The set as far as it verified.</param>
/// <param name="Applied">Entries applied before the first refused one (all of them when valid).</param>
/// <param name="Fault">The first fault, or null.</param>
public sealed record KeySetLoad(KeySet KeySet, int Applied, KeySetFault? Fault)
{
    /// <summary>True when every entry was applied.</summary>
    public bool IsValid => Fault is null;
}
