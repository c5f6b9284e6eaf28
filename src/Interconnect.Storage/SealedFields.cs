using System.Buffers.Binary;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;

namespace Interconnect.Storage;

/// <summary>
/// Seals payloads and remembers the digest the ledger computed for each field, so that a store's
/// input check can accept a field with exactly that salt, name and value without hashing it again.
/// </summary>
/// <remarks>
/// The check every provider runs before an append recomputes each field's salted digest; for an
/// entry this node just sealed that is the same hashing done twice within microseconds. What is
/// remembered is keyed by the field's whole content: a digest is a pure function of salt, name and
/// value, so a field equal to a remembered one in all three has the remembered digest, whoever
/// built the object, and a field that differs in any of them (a changed value, a salt mutated in
/// place) is hashed as before. The salt is read before the payload leaves this class, so it is the
/// one the digest was computed from. A fixed number of slots, overwritten freely: forgetting only
/// costs a hash. Values longer than <see cref="MaxRememberedValueLength"/> are not remembered, which
/// bounds what the slots keep alive.
/// </remarks>
public static class SealedFields
{
    /// <summary>The longest field value, in characters, whose digest is remembered.</summary>
    public const int MaxRememberedValueLength = 2048;

    // A power of two, well above the fields sealed between a seal and its append even with many callers.
    private const int Slots = 1024;
    private static readonly Memo?[] Memos = new Memo?[Slots];

    /// <summary>Seals named values as <see cref="SealedPayload.Seal"/> does, and remembers each field's digest.</summary>
    public static SealedPayload Seal(IEnumerable<KeyValuePair<string, string>> values)
    {
        var payload = SealedPayload.Seal(values);

        // No other code has seen the payload yet, so its salts are still the ones its digests were computed from.
        var fields = payload.Fields;
        var commitments = payload.Commitments;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (field.Value.Length <= MaxRememberedValueLength && field.Salt.Length == FieldDigest.SaltLength)
            {
                var salt = BinaryPrimitives.ReadUInt128LittleEndian(field.Salt);
                Volatile.Write(ref Memos[Slot(salt)], new Memo(salt, field.Name, field.Value, commitments[i].Digest));
            }
        }

        return payload;
    }

    /// <summary>True when <paramref name="field"/>'s salt, name and value are remembered as hashing to <paramref name="committed"/>.</summary>
    internal static bool Vouches(DisclosedField field, Hash256 committed)
    {
        if (field.Salt is not { Length: FieldDigest.SaltLength } bytes)
        {
            return false;
        }

        var salt = BinaryPrimitives.ReadUInt128LittleEndian(bytes);
        var memo = Volatile.Read(ref Memos[Slot(salt)]);
        return memo is not null
            && memo.Salt == salt
            && memo.Digest == committed
            && string.Equals(memo.Name, field.Name, StringComparison.Ordinal)
            && string.Equals(memo.Value, field.Value, StringComparison.Ordinal);
    }

    // Salts are uniformly random, so their low bits spread fields evenly over the slots.
    private static int Slot(UInt128 salt) => (int)((ulong)salt & (Slots - 1));

    private sealed record Memo(UInt128 Salt, string Name, string Value, Hash256 Digest);
}
