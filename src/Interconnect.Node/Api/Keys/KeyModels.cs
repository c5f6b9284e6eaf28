using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;

namespace Interconnect.Node.Api.Keys;

/// <summary>Body of <c>POST /api/keys/rotate</c>.</summary>
/// <param name="NewKeyId">A key this node holds (Node:AdditionalSigningKeyFiles) that is not yet in the key set.</param>
public sealed record RotateKeyRequest(string? NewKeyId);

/// <summary>Body of <c>POST /api/keys/standby</c>.</summary>
/// <param name="KeyId">A key this node holds that is not yet in the key set.</param>
public sealed record AddStandbyKeyRequest(string? KeyId);

/// <summary>Body of <c>POST /api/keys/revoke</c>.</summary>
/// <param name="KeyId">The key to revoke.</param>
/// <param name="EffectiveAt">From when entries it signs are invalid (the suspected compromise, or now when omitted); at most a day ahead.</param>
/// <param name="Reason">Why, for partners and auditors.</param>
public sealed record RevokeKeyRequest(string? KeyId, DateTimeOffset? EffectiveAt, string? Reason);

/// <summary>An administration's key set as this node holds it.</summary>
/// <param name="Administration">Whose keys.</param>
/// <param name="Held">True once the key set (its genesis at least) is held; false while a partner's configured keys still decide.</param>
/// <param name="CurrentKeyId">The key that signs now (ours only; null when the node cannot sign).</param>
/// <param name="CannotSign">Why the node cannot sign, when it cannot (ours only).</param>
/// <param name="HeldKeyIds">The private keys this node holds (ours only).</param>
/// <param name="Keys">Each key with its validity, in the order added.</param>
/// <param name="Events">Each key-set entry, in order.</param>
public sealed record KeySetResponse(
    string Administration, bool Held, string? CurrentKeyId, string? CannotSign, IReadOnlyList<string> HeldKeyIds, IReadOnlyList<KeyResponse> Keys, IReadOnlyList<KeyEventResponse> Events)
{
    internal static KeySetResponse From(
        string administration, KeySet? keySet, IReadOnlyList<DisclosedEntry> entries, DateTimeOffset now, string? current, string? cannotSign, IReadOnlyList<string> held)
    {
        var valid = keySet?.ValidAt(now).Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal) ?? [];
        var keys = keySet?.Keys.Select(k => KeyResponse.From(k, valid.Contains(k.KeyId), now)).ToList() ?? [];
        return new KeySetResponse(administration, keySet?.Head is not null, current, cannotSign, held, keys, [.. entries.Select(KeyEventResponse.From)]);
    }
}

/// <summary>One key and its validity.</summary>
/// <param name="KeyId">The key id.</param>
/// <param name="PublicKeyPem">The public key (PEM).</param>
/// <param name="Status">valid, rotated, revoked, not-yet-valid, or void (added under a key revoked by then).</param>
/// <param name="ValidFrom">When it was added.</param>
/// <param name="ValidUntil">When it stopped (or stops) being valid, if it does.</param>
/// <param name="AuthorizedBy">The key that signed its addition (itself for the genesis).</param>
/// <param name="RotatedTo">The key that replaced it, if any.</param>
/// <param name="RevokedFrom">The revocation's effective time, if revoked.</param>
/// <param name="RevocationReason">The revocation's reason, if revoked.</param>
public sealed record KeyResponse(
    string KeyId, string PublicKeyPem, string Status, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, string AuthorizedBy, string? RotatedTo, DateTimeOffset? RevokedFrom, string? RevocationReason)
{
    internal static KeyResponse From(AdministrationKey key, bool valid, DateTimeOffset now)
    {
        var status = valid ? "valid"
            : key.Revocation is { } r && r.EffectiveAt <= now ? "revoked"
            : key.Rotation is { } t && t.At <= now ? "rotated"
            : now < key.ValidFrom ? "not-yet-valid"
            : "void";
        return new KeyResponse(
            key.KeyId, key.PublicKey.ToPem(), status, key.ValidFrom, key.ValidUntil, key.AuthorizedBy, key.Rotation?.SuccessorKeyId, key.Revocation?.EffectiveAt, key.Revocation?.Reason);
    }
}

/// <summary>One key-set entry.</summary>
/// <param name="Sequence">Its sequence in the key set.</param>
/// <param name="Type">key.added, key.rotated or key.revoked.</param>
/// <param name="Timestamp">When it was signed (and, for added and rotated keys, when they became valid).</param>
/// <param name="SignerKeyId">The key that signed it.</param>
/// <param name="KeyId">The key it adds, rotates in or revokes.</param>
/// <param name="Replaces">For key.rotated: the key replaced.</param>
/// <param name="EffectiveAt">For key.revoked: from when.</param>
/// <param name="Reason">For key.revoked: why.</param>
/// <param name="EntryHash">The entry's hash (hex).</param>
public sealed record KeyEventResponse(
    ulong Sequence, string Type, DateTimeOffset Timestamp, string SignerKeyId, string? KeyId, string? Replaces, string? EffectiveAt, string? Reason, string EntryHash)
{
    internal static KeyEventResponse From(DisclosedEntry entry)
    {
        var body = entry.Entry.Body;
        return new KeyEventResponse(
            body.Sequence, body.EntryType, body.Timestamp, body.KeyId, entry[KeySetFormat.KeyIdField], entry[KeySetFormat.ReplacesField],
            entry[KeySetFormat.EffectiveAtField], entry[KeySetFormat.ReasonField], entry.Entry.Hash.ToString());
    }
}
