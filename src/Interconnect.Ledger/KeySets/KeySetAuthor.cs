using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.KeySets;

/// <summary>
/// Writes an administration's own key-set events. Every event is checked against the set before it
/// is handed out, so an author never emits an entry that partners would refuse; a refused event
/// throws with the fault and leaves the author where it was. Times are always given by the caller.
/// </summary>
public sealed class KeySetAuthor
{
    private readonly string _administration;
    private KeySet? _keySet;

    /// <summary>An author for a key set that does not exist yet (start with <see cref="Genesis"/>).</summary>
    public KeySetAuthor(string administration)
    {
        Identifier.Require(administration, "administration");
        _administration = administration;
    }

    private KeySetAuthor(KeySet keySet)
    {
        _administration = keySet.Administration;
        _keySet = keySet;
    }

    /// <summary>Continues an existing key set (loaded and verified from storage).</summary>
    public static KeySetAuthor Continue(KeySet keySet)
    {
        ArgumentNullException.ThrowIfNull(keySet);
        if (keySet.Head is null)
        {
            throw new ArgumentException($"The key set of {keySet.Administration} has no genesis yet; start with {nameof(Genesis)}.", nameof(keySet));
        }

        return new KeySetAuthor(keySet.Fork());
    }

    /// <summary>The administration whose key set this writes.</summary>
    public string Administration => _administration;

    /// <summary>The set as it stands after the events written so far; null before the genesis.</summary>
    public KeySet? KeySet => _keySet;

    /// <summary>The pin partners need, once the genesis is written.</summary>
    public TrustAnchor? Anchor => _keySet?.Anchor;

    /// <summary>Writes the genesis: <paramref name="signer"/>'s key, self-signed, valid from <paramref name="timestamp"/>.</summary>
    public DisclosedEntry Genesis(ISigner signer, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (_keySet is not null)
        {
            throw new InvalidOperationException($"The key set of {_administration} already has its genesis (sequence {_keySet.Head!.Sequence} written).");
        }

        var keySet = new KeySet(new TrustAnchor.GenesisKey(_administration, signer.KeyId));
        var entry = Write(keySet, signer, new KeyEvent.Added(signer.PublicKey), timestamp);
        _keySet = keySet;
        return entry;
    }

    /// <summary>Adds <paramref name="newKey"/> alongside the others; signed by a key valid at <paramref name="timestamp"/>.</summary>
    public DisclosedEntry AddKey(ISigner signer, PublicKey newKey, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        return Write(Started(), signer, new KeyEvent.Added(newKey), timestamp);
    }

    /// <summary>Replaces <paramref name="oldSigner"/>'s key by <paramref name="newKey"/> from <paramref name="timestamp"/>.</summary>
    public DisclosedEntry Rotate(ISigner oldSigner, PublicKey newKey, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(oldSigner);
        ArgumentNullException.ThrowIfNull(newKey);
        return Write(Started(), oldSigner, new KeyEvent.Rotated(newKey, oldSigner.KeyId), timestamp);
    }

    /// <summary>Revokes <paramref name="keyId"/> from <paramref name="effectiveAt"/> (may be in the past).</summary>
    public DisclosedEntry Revoke(ISigner signer, string keyId, DateTimeOffset effectiveAt, string reason, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(reason);
        return Write(Started(), signer, new KeyEvent.Revoked(keyId, effectiveAt, reason), timestamp);
    }

    /// <summary>
    /// Who acts for the administration in the events written from now on (id and role), recorded in
    /// the optional fields <see cref="KeySetFormat.ActorField"/> and <see cref="KeySetFormat.ActorRoleField"/>; null records none.
    /// </summary>
    public (string Id, string Role)? Actor { get; set; }

    private KeySet Started() =>
        _keySet ?? throw new InvalidOperationException($"The key set of {_administration} has no genesis yet; write it with {nameof(Genesis)} first.");

    private DisclosedEntry Write(KeySet keySet, ISigner signer, KeyEvent keyEvent, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var head = keySet.Head;
        IEnumerable<KeyValuePair<string, string>> fields = keyEvent.ToFields();
        if (Actor is { } actor)
        {
            fields = fields.Append(new(KeySetFormat.ActorField, actor.Id)).Append(new(KeySetFormat.ActorRoleField, actor.Role));
        }

        var payload = SealedPayload.Seal(fields);
        var body = new EntryBody(
            _administration,
            KeySetFormat.EntityKind,
            _administration,
            (head?.Sequence ?? 0) + 1,
            head?.Hash ?? Hash256.Zero,
            timestamp,
            keyEvent.EntryType,
            payload.Commitments,
            signer.KeyId,
            signer.Algorithm);
        var entry = new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);
        var fault = keySet.Apply(entry);
        if (fault is not null)
        {
            throw new InvalidOperationException($"Refusing to write a key-set entry partners would reject: {fault.Describe()}");
        }

        return entry;
    }
}
