using System.Security.Cryptography;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Audit;

/// <summary>
/// The key set of an administration that keeps no key-set ledger: a genesis <c>key.added</c> for its
/// one signing key, self-signed, dated 1970-01-01T00:00:00.000000Z (the key is vouched for over all
/// time: there is no rotation history to say otherwise), with salts derived from the key id and field
/// name. Salts hide nothing here (key sets are public), and deriving them, with the fixed time, makes
/// the genesis entry hash a function of the key alone: every export, after any restart, carries the
/// same genesis entry hash, which an auditor can pin as well as the key id. Only the signature bytes
/// differ between exports (ECDSA is randomized), and the entry hash excludes them.
/// </summary>
public static class DerivedKeySet
{
    /// <summary>The genesis time of a derived key set: the Unix epoch.</summary>
    public static DateTimeOffset GenesisTime { get; } = DateTimeOffset.UnixEpoch;

    private const string SaltDomain = "interconnect/derived-key-set-salt";

    /// <summary>The derived genesis for <paramref name="signer"/>'s key as <paramref name="administration"/>'s key set.</summary>
    public static DisclosedEntry Genesis(string administration, ISigner signer)
    {
        Identifier.Require(administration, "administration");
        ArgumentNullException.ThrowIfNull(signer);
        var added = new KeyEvent.Added(signer.PublicKey);
        var payload = SealedPayload.FromSalted(added.ToFields().Select(f => new DisclosedField(f.Key, f.Value, Salt(signer.KeyId, f.Key))));
        var body = new EntryBody(
            administration,
            KeySetFormat.EntityKind,
            administration,
            1,
            Hash256.Zero,
            GenesisTime,
            added.EntryType,
            payload.Commitments,
            signer.KeyId,
            signer.Algorithm);
        var genesis = new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);

        // Refused here rather than shipped: a bundle whose key set its own verifier refuses helps nobody.
        var fault = new KeySet(new TrustAnchor.GenesisKey(administration, signer.KeyId)).Apply(genesis);
        return fault is null
            ? genesis
            : throw new InvalidOperationException($"The derived key-set genesis of {administration} does not verify: {fault.Describe()}");
    }

    // SHA-256(domain || 0x00 || key id || 0x00 || field name), first 16 bytes.
    private static byte[] Salt(string keyId, string field)
    {
        var input = System.Text.Encoding.ASCII.GetBytes($"{SaltDomain}\0{keyId}\0{field}");
        return SHA256.HashData(input).AsSpan(0, FieldDigest.SaltLength).ToArray();
    }
}
