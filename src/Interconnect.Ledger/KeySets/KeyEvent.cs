using System.Globalization;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.KeySets;

/// <summary>
/// A key-set event with its field values parsed and checked for form (not yet against the set).
/// The one reader and writer of the exact field formats in docs/ledger-format.md, "Key sets".
/// </summary>
public abstract record KeyEvent
{
    private static readonly string[] AddedFields = [KeySetFormat.AlgorithmField, KeySetFormat.KeyIdField, KeySetFormat.PublicKeyField];
    private static readonly string[] RotatedFields = [KeySetFormat.AlgorithmField, KeySetFormat.KeyIdField, KeySetFormat.PublicKeyField, KeySetFormat.ReplacesField];
    private static readonly string[] RevokedFields = [KeySetFormat.EffectiveAtField, KeySetFormat.KeyIdField, KeySetFormat.ReasonField];

    private KeyEvent()
    {
    }

    /// <summary>The entry type of this event.</summary>
    public abstract string EntryType { get; }

    /// <summary>The field values this event is written as.</summary>
    public abstract IReadOnlyList<KeyValuePair<string, string>> ToFields();

    /// <summary>
    /// Reads the event of a key-set entry whose disclosed fields already verify. Refuses unknown
    /// entry types, missing, withheld or extra fields, and values not in their exact format.
    /// </summary>
    /// <returns>Null and the event, or the fault and a null event.</returns>
    public static KeySetFault? TryRead(DisclosedEntry entry, out KeyEvent? keyEvent)
    {
        ArgumentNullException.ThrowIfNull(entry);
        keyEvent = null;
        var body = entry.Entry.Body;
        var sequence = body.Sequence;
        var expected = body.EntryType switch
        {
            KeySetFormat.KeyAdded => AddedFields,
            KeySetFormat.KeyRotated => RotatedFields,
            KeySetFormat.KeyRevoked => RevokedFields,
            _ => null,
        };
        if (expected is null)
        {
            return new KeySetFault.UnknownEventType(sequence, body.EntryType);
        }

        if (CheckFieldNames(entry, expected) is { } namesFault)
        {
            return namesFault;
        }

        string Value(string name) => entry[name]!;

        if (body.EntryType == KeySetFormat.KeyRevoked)
        {
            var revokedFault = ReadRevoked(sequence, Value(KeySetFormat.KeyIdField), Value(KeySetFormat.EffectiveAtField), Value(KeySetFormat.ReasonField), out var revoked);
            keyEvent = revoked;
            return revokedFault;
        }

        var fault = ReadKey(sequence, Value(KeySetFormat.KeyIdField), Value(KeySetFormat.PublicKeyField), Value(KeySetFormat.AlgorithmField), out var key);
        if (fault is not null)
        {
            return fault;
        }

        if (body.EntryType == KeySetFormat.KeyAdded)
        {
            keyEvent = new Added(key!);
            return null;
        }

        var replaces = Value(KeySetFormat.ReplacesField);
        if (Identifier.Explain(replaces) is { } problem)
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.ReplacesField, $"is not a key id: it {problem}");
        }

        keyEvent = new Rotated(key!, replaces);
        return null;
    }

    private static KeySetFault.MalformedField? CheckFieldNames(DisclosedEntry entry, string[] expected)
    {
        var body = entry.Entry.Body;
        var attributed = body.Field(KeySetFormat.ActorField) is not null;
        if (attributed != (body.Field(KeySetFormat.ActorRoleField) is not null))
        {
            return new KeySetFault.MalformedField(
                body.Sequence, attributed ? KeySetFormat.ActorRoleField : KeySetFormat.ActorField, $"is missing; {KeySetFormat.ActorField} and {KeySetFormat.ActorRoleField} go together");
        }

        foreach (var committed in body.Fields)
        {
            if (Array.IndexOf(expected, committed.Name) < 0 && !IsAttribution(committed.Name))
            {
                return new KeySetFault.MalformedField(body.Sequence, committed.Name, $"is not a field of {body.EntryType}");
            }
        }

        foreach (var name in attributed ? [.. expected, KeySetFormat.ActorField, KeySetFormat.ActorRoleField] : expected)
        {
            if (body.Field(name) is null)
            {
                return new KeySetFault.MalformedField(body.Sequence, name, "is missing");
            }

            // Key sets are public: a partner must be able to recompute every key id and time itself.
            if (entry[name] is null)
            {
                return new KeySetFault.MalformedField(body.Sequence, name, "is withheld; key-set entries disclose every field");
            }
        }

        return null;
    }

    private static bool IsAttribution(string name) =>
        string.Equals(name, KeySetFormat.ActorField, StringComparison.Ordinal) || string.Equals(name, KeySetFormat.ActorRoleField, StringComparison.Ordinal);

    private static KeySetFault? ReadKey(ulong sequence, string keyId, string publicKey, string algorithm, out PublicKey? key)
    {
        key = null;
        if (!TryDecodeBase64(publicKey, out var spki))
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.PublicKeyField, "is not canonical base64 (standard alphabet, padded, no whitespace)");
        }

        PublicKey parsed;
        try
        {
            parsed = PublicKey.FromSubjectPublicKeyInfo(spki);
        }
        catch (FormatException e)
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.PublicKeyField, $"is not a usable public key: {e.Message}");
        }

        if (!ushort.TryParse(algorithm, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !string.Equals(number.ToString(CultureInfo.InvariantCulture), algorithm, StringComparison.Ordinal))
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.AlgorithmField, $"\"{algorithm}\" is not a decimal u16 without leading zeros");
        }

        if ((SignatureAlgorithm)number != parsed.Algorithm)
        {
            return new KeySetFault.MalformedField(
                sequence, KeySetFormat.AlgorithmField, $"says algorithm {number}, but the public key is for algorithm {(ushort)parsed.Algorithm}");
        }

        // The id is derived, never chosen: a declared id that differs would let two names denote one key.
        if (!string.Equals(keyId, parsed.KeyId, StringComparison.Ordinal))
        {
            return new KeySetFault.KeyIdMismatch(sequence, keyId, parsed.KeyId);
        }

        key = parsed;
        return null;
    }

    private static KeySetFault.MalformedField? ReadRevoked(ulong sequence, string keyId, string effectiveAt, string reason, out Revoked? revoked)
    {
        revoked = null;
        if (Identifier.Explain(keyId) is { } problem)
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.KeyIdField, $"is not a key id: it {problem}");
        }

        if (!KeySetFormat.TryParseTime(effectiveAt, out var at))
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.EffectiveAtField, $"\"{effectiveAt}\" is not a time of the form 2026-11-20T10:00:00.000000Z");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return new KeySetFault.MalformedField(sequence, KeySetFormat.ReasonField, "is empty; a revocation says why");
        }

        revoked = new Revoked(keyId, at, reason);
        return null;
    }

    private static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        bytes = [];
        var buffer = new byte[(value.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(value, buffer, out var written))
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();

        // TryFromBase64String skips whitespace and accepts unpadded forms in places; one spelling only.
        return string.Equals(Convert.ToBase64String(bytes), value, StringComparison.Ordinal);
    }

    /// <summary>key.added: a new key, valid from the entry's timestamp, alongside the others.</summary>
    /// <param name="Key">The key added.</param>
    public sealed record Added(PublicKey Key) : KeyEvent
    {
        /// <inheritdoc />
        public override string EntryType => KeySetFormat.KeyAdded;

        /// <inheritdoc />
        public override IReadOnlyList<KeyValuePair<string, string>> ToFields() => KeyFields(Key);
    }

    /// <summary>key.rotated: a new key replacing <paramref name="Replaces"/> from the entry's timestamp.</summary>
    /// <param name="Key">The new key.</param>
    /// <param name="Replaces">The id of the key replaced (which signs the entry).</param>
    public sealed record Rotated(PublicKey Key, string Replaces) : KeyEvent
    {
        /// <inheritdoc />
        public override string EntryType => KeySetFormat.KeyRotated;

        /// <inheritdoc />
        public override IReadOnlyList<KeyValuePair<string, string>> ToFields() =>
            [.. KeyFields(Key), new(KeySetFormat.ReplacesField, Replaces)];
    }

    /// <summary>key.revoked: <paramref name="KeyId"/> is not valid from <paramref name="EffectiveAt"/> on.</summary>
    /// <param name="KeyId">The key revoked.</param>
    /// <param name="EffectiveAt">From when; may precede the entry's timestamp.</param>
    /// <param name="Reason">Why.</param>
    public sealed record Revoked(string KeyId, DateTimeOffset EffectiveAt, string Reason) : KeyEvent
    {
        /// <inheritdoc />
        public override string EntryType => KeySetFormat.KeyRevoked;

        /// <inheritdoc />
        public override IReadOnlyList<KeyValuePair<string, string>> ToFields() =>
        [
            new(KeySetFormat.EffectiveAtField, KeySetFormat.FormatTime(EffectiveAt)),
            new(KeySetFormat.KeyIdField, KeyId),
            new(KeySetFormat.ReasonField, Reason),
        ];
    }

    private static KeyValuePair<string, string>[] KeyFields(PublicKey key) =>
    [
        new(KeySetFormat.AlgorithmField, ((ushort)key.Algorithm).ToString(CultureInfo.InvariantCulture)),
        new(KeySetFormat.KeyIdField, key.KeyId),
        new(KeySetFormat.PublicKeyField, Convert.ToBase64String(key.SubjectPublicKeyInfo)),
    ];
}
