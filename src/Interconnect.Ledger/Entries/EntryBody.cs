using System.Collections.Immutable;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Entries;

/// <summary>
/// Everything an entry's signature covers. Its exact bytes are the signing input
/// (docs/ledger-format.md, "Entry signing input"); the entry hash is SHA-256 of those bytes.
/// Immutable and validated on construction.
/// </summary>
public sealed class EntryBody
{
    /// <summary>The domain-separation tag of entry signing inputs.</summary>
    public const string DomainTag = "interconnect/entry";

    /// <summary>Format version of the entry signing input.</summary>
    public const byte Version = 1;

    private readonly byte[] _signingInput;

    /// <summary>Builds and validates a body; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public EntryBody(
        string origin,
        string entityKind,
        string entityId,
        ulong sequence,
        Hash256 previousHash,
        DateTimeOffset timestamp,
        string entryType,
        IEnumerable<FieldCommitment> fields,
        string keyId,
        SignatureAlgorithm algorithm)
    {
        Identifier.Require(origin, "origin administration");
        Identifier.Require(entityKind, "entity kind");
        Identifier.Require(entityId, "entity id");
        Identifier.Require(entryType, "entry type");
        Identifier.Require(keyId, "key id");
        if (sequence == 0)
        {
            throw new ArgumentException("Sequence numbers start at 1; 0 given.", nameof(sequence));
        }

        if (sequence == 1 && previousHash != Hash256.Zero)
        {
            throw new ArgumentException("The first entry of an entity must carry the zero previous hash.", nameof(previousHash));
        }

        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentException($"Signature algorithm {(ushort)algorithm} is unknown.", nameof(algorithm));
        }

        var sorted = fields.ToImmutableArray();
        CheckFields(sorted);

        Origin = origin;
        EntityKind = entityKind;
        EntityId = entityId;
        Sequence = sequence;
        PreviousHash = previousHash;
        TimestampMicros = ToMicros(timestamp);
        EntryType = entryType;
        Fields = sorted;
        KeyId = keyId;
        Algorithm = algorithm;
        _signingInput = Encode();
        Hash = Hash256.Of(_signingInput);
    }

    /// <summary>The administration that originated and signed the entry.</summary>
    public string Origin { get; }

    /// <summary>The grain kind, e.g. "aeo-operator", "mra-agreement", "shipment", "key-set".</summary>
    public string EntityKind { get; }

    /// <summary>The entity's natural id (AEO number, agreement id, UCR...).</summary>
    public string EntityId { get; }

    /// <summary>Position in the entity's chain, from 1.</summary>
    public ulong Sequence { get; }

    /// <summary>Hash of the previous entry of the same entity; zero for sequence 1.</summary>
    public Hash256 PreviousHash { get; }

    /// <summary>Signing time in microseconds since 1970-01-01T00:00:00Z.</summary>
    public long TimestampMicros { get; }

    /// <summary>Signing time (microsecond precision).</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampMicros * 10);

    /// <summary>What happened, e.g. "aeo.certified".</summary>
    public string EntryType { get; }

    /// <summary>Field names and salted digests, sorted by name (ordinal), names unique.</summary>
    public ImmutableArray<FieldCommitment> Fields { get; }

    /// <summary>The key that signs this entry.</summary>
    public string KeyId { get; }

    /// <summary>The signature algorithm.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>SHA-256 of the signing input: the entry's identity and the next entry's previous hash.</summary>
    public Hash256 Hash { get; }

    /// <summary>The exact bytes that are hashed and signed.</summary>
    public ReadOnlySpan<byte> SigningInput => _signingInput;

    /// <summary>Looks up a field commitment by name.</summary>
    public FieldCommitment? Field(string name)
    {
        foreach (var f in Fields)
        {
            if (string.Equals(f.Name, name, StringComparison.Ordinal))
            {
                return f;
            }
        }

        return null;
    }

    /// <summary>Decodes a signing input, with typed errors.</summary>
    public static Decoded<EntryBody> Decode(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        return Decoder.Run(() =>
        {
            var reader = new CanonicalReader(copy);
            var body = Read(ref reader);
            reader.ExpectEnd("Entry signing input");
            return body;
        });
    }

    internal static EntryBody Read(ref CanonicalReader reader)
    {
        reader.Domain(DomainTag);
        reader.Version(Version, "Entry");
        var origin = reader.Identifier("origin");
        var kind = reader.Identifier("entity kind");
        var id = reader.Identifier("entity id");
        var sequence = reader.U64("sequence");
        var previous = reader.Hash("previous hash");
        var micros = reader.I64("timestamp");
        var type = reader.Identifier("entry type");
        var count = reader.U32("field count");
        if (count > EntryLimits.MaxFields)
        {
            throw new LedgerFormatException(new FormatError(FormatErrorKind.LengthOutOfRange, $"Field count {count} exceeds {EntryLimits.MaxFields}."));
        }

        var fields = new FieldCommitment[count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new FieldCommitment(reader.Identifier("field name"), reader.Hash("field digest"));
        }

        var keyId = reader.Identifier("key id");
        var algorithm = (SignatureAlgorithm)reader.U16("algorithm");
        if (!Enum.IsDefined(algorithm))
        {
            throw new LedgerFormatException($"Signature algorithm {(ushort)algorithm} is unknown.");
        }

        if (micros < MinMicros || micros > MaxMicros)
        {
            throw new LedgerFormatException($"Timestamp {micros} µs is outside years 1970 to 9999.");
        }

        return new EntryBody(origin, kind, id, sequence, previous, FromMicros(micros), type, fields, keyId, algorithm);
    }

    /// <summary>Truncation-free conversion: refuses sub-microsecond times so hashes never depend on rounding.</summary>
    public static long ToMicros(DateTimeOffset timestamp)
    {
        var ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks < 0)
        {
            throw new ArgumentException($"Timestamp {timestamp:O} is before 1970.", nameof(timestamp));
        }

        if (ticks % 10 != 0)
        {
            throw new ArgumentException($"Timestamp {timestamp:O} has sub-microsecond precision; truncate it with {nameof(TruncateToMicros)} first.", nameof(timestamp));
        }

        return ticks / 10;
    }

    /// <summary>Drops the sub-microsecond part of a time.</summary>
    public static DateTimeOffset TruncateToMicros(DateTimeOffset timestamp) =>
        new(timestamp.UtcTicks - (timestamp.UtcTicks % 10), TimeSpan.Zero);

    private const long MinMicros = 0;
    private static readonly long MaxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    private static void CheckFields(ImmutableArray<FieldCommitment> fields)
    {
        if (fields.Length > EntryLimits.MaxFields)
        {
            throw new ArgumentException($"An entry has at most {EntryLimits.MaxFields} fields; {fields.Length} given.", nameof(fields));
        }

        for (var i = 0; i < fields.Length; i++)
        {
            Identifier.Require(fields[i].Name, "field name");
            if (i > 0 && string.CompareOrdinal(fields[i - 1].Name, fields[i].Name) >= 0)
            {
                throw new ArgumentException(
                    $"Field names must be unique and sorted (ordinal): \"{fields[i - 1].Name}\" precedes \"{fields[i].Name}\".",
                    nameof(fields));
            }
        }
    }

    private byte[] Encode()
    {
        // Identifiers are ASCII, so the exact size is known: one buffer, no growth.
        var size = DomainTag.Length + 2 + 12 + Origin.Length + EntityKind.Length + EntityId.Length + 8 + Hash256.Size + 8
            + 4 + EntryType.Length + 4 + 4 + KeyId.Length + 2;
        foreach (var field in Fields)
        {
            size += 4 + field.Name.Length + Hash256.Size;
        }

        var w = new CanonicalWriter(size)
            .Domain(DomainTag).U8(Version)
            .Utf8(Origin).Utf8(EntityKind).Utf8(EntityId)
            .U64(Sequence).Hash(PreviousHash).I64(TimestampMicros)
            .Utf8(EntryType)
            .U32((uint)Fields.Length);
        foreach (var field in Fields)
        {
            w.Utf8(field.Name).Hash(field.Digest);
        }

        w.Utf8(KeyId).U16((ushort)Algorithm);
        return w.ToArray();
    }
}
