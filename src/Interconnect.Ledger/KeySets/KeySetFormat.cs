using System.Globalization;

namespace Interconnect.Ledger.KeySets;

/// <summary>
/// The names and value formats of key-set entries (docs/ledger-format.md, "Key sets"). Kept in one
/// place so that the author that writes events and the fold that reads them cannot drift apart.
/// </summary>
public static class KeySetFormat
{
    /// <summary>The entity kind of every key-set entry; the entity id is the administration id.</summary>
    public const string EntityKind = "key-set";

    /// <summary>Entry type that adds a concurrently valid key (sequence 1 is the genesis).</summary>
    public const string KeyAdded = "key.added";

    /// <summary>Entry type that replaces a key by a new one, signed by the key replaced.</summary>
    public const string KeyRotated = "key.rotated";

    /// <summary>Entry type that ends a key's validity from a given time, possibly in the past.</summary>
    public const string KeyRevoked = "key.revoked";

    /// <summary>Field: the key id (see <see cref="Signing.PublicKey.DeriveKeyId"/>).</summary>
    public const string KeyIdField = "keyId";

    /// <summary>Field: standard base64 (with padding) of the SubjectPublicKeyInfo DER.</summary>
    public const string PublicKeyField = "publicKey";

    /// <summary>Field: the key's signature algorithm as a decimal u16 without leading zeros.</summary>
    public const string AlgorithmField = "algorithm";

    /// <summary>Field of key.rotated: the id of the key replaced.</summary>
    public const string ReplacesField = "replaces";

    /// <summary>Field of key.revoked: when the key stops being valid (RFC 3339 UTC, microseconds).</summary>
    public const string EffectiveAtField = "effectiveAt";

    /// <summary>Field of key.revoked: why, free text for auditors.</summary>
    public const string ReasonField = "reason";

    /// <summary>
    /// Optional field of every event: the id of the principal who acted for the administration.
    /// Given with <see cref="ActorRoleField"/> or not at all; it changes nothing in the fold.
    /// </summary>
    public const string ActorField = "actor";

    /// <summary>Optional field of every event: the role the principal acted in.</summary>
    public const string ActorRoleField = "actorRole";

    /// <summary>The one time layout used in field values: 2026-11-20T10:00:00.000000Z.</summary>
    public const string TimeLayout = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";

    /// <summary>Formats a time in <see cref="TimeLayout"/>; refuses sub-microsecond precision.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        if (time.UtcTicks % 10 != 0)
        {
            throw new ArgumentException($"Time {time:O} has sub-microsecond precision; key-set times are whole microseconds.", nameof(time));
        }

        return time.UtcDateTime.ToString(TimeLayout, CultureInfo.InvariantCulture);
    }

    /// <summary>Parses exactly <see cref="TimeLayout"/> (no offsets, no other precision).</summary>
    public static bool TryParseTime(string? value, out DateTimeOffset time)
    {
        time = default;
        if (value is null || value.Length != 27
            || !DateTime.TryParseExact(value, TimeLayout, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        time = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
        return true;
    }
}
