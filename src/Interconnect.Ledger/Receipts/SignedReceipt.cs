using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Receipts;

/// <summary>
/// A receipt with the signature of its issuer's key: the issuer's countersignature of (or objection
/// to) another administration's entry. The signing input is Domain("interconnect/receipt"), u8
/// version 1, string issuer, string origin, string entity kind, string entity id, u64 sequence,
/// 32-byte entry hash, u8 verdict, string reason, i64 issue time (µs since the Unix epoch), string
/// key id, u16 algorithm; the wire form is the signing input followed by the u32-length-prefixed
/// signature (docs/ledger-format.md, section 10). Immutable.
/// </summary>
public sealed class SignedReceipt
{
    /// <summary>The domain-separation tag of receipt signing inputs.</summary>
    public const string DomainTag = "interconnect/receipt";

    /// <summary>Format version of the receipt signing input.</summary>
    public const byte Version = 1;

    /// <summary>
    /// The largest wire form: five identifiers of 128 bytes, a reason of 1024 bytes and a signature
    /// of 512 bytes, with their length prefixes and the fixed fields.
    /// </summary>
    public const int MaxEncodedBytes = DomainTagBytes + 1 + (5 * (4 + Identifier.MaxLength)) + 8 + Hash256.Size + 1
        + 4 + Receipt.MaxReasonBytes + 8 + 2 + 4 + EntryLimits.MaxSignatureBytes;

    private const int DomainTagBytes = 21;

    private readonly byte[] _signature;
    private readonly byte[] _signingInput;

    /// <summary>Wraps a receipt and a signature (not verified here; see <see cref="Verify"/>).</summary>
    public SignedReceipt(Receipt receipt, string keyId, SignatureAlgorithm algorithm, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        Identifier.Require(keyId, "key id");
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentException($"Signature algorithm {(ushort)algorithm} is unknown.", nameof(algorithm));
        }

        if (signature.IsEmpty || signature.Length > EntryLimits.MaxSignatureBytes)
        {
            throw new ArgumentException($"A signature is 1 to {EntryLimits.MaxSignatureBytes} bytes; {signature.Length} given.", nameof(signature));
        }

        Receipt = receipt;
        KeyId = keyId;
        Algorithm = algorithm;
        _signature = signature.ToArray();
        _signingInput = BuildSigningInput(receipt, keyId, algorithm);
    }

    /// <summary>What the signature covers (with the key id and algorithm).</summary>
    public Receipt Receipt { get; }

    /// <summary>The issuer's key that signed.</summary>
    public string KeyId { get; }

    /// <summary>The signature algorithm.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The signature bytes (IEEE P1363 r||s for ECDSA P-256).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The exact bytes that were signed.</summary>
    public ReadOnlySpan<byte> SigningInput => _signingInput;

    /// <summary>The signing input of <paramref name="receipt"/> signed by <paramref name="keyId"/> with <paramref name="algorithm"/>.</summary>
    public static byte[] BuildSigningInput(Receipt receipt, string keyId, SignatureAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        Identifier.Require(keyId, "key id");
        return new CanonicalWriter(MaxEncodedBytes)
            .Domain(DomainTag).U8(Version)
            .Utf8(receipt.Issuer)
            .Utf8(receipt.Origin)
            .Utf8(receipt.EntityKind)
            .Utf8(receipt.EntityId)
            .U64(receipt.Sequence)
            .Hash(receipt.EntryHash)
            .U8((byte)receipt.Verdict)
            .Utf8(receipt.Reason)
            .I64(receipt.IssuedAtMicros)
            .Utf8(keyId)
            .U16((ushort)algorithm)
            .ToArray();
    }

    /// <summary>Signs <paramref name="receipt"/> with <paramref name="signer"/>'s key (a key of the issuer).</summary>
    public static SignedReceipt Sign(Receipt receipt, ISigner signer)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(signer);
        var input = BuildSigningInput(receipt, signer.KeyId, signer.Algorithm);
        return new SignedReceipt(receipt, signer.KeyId, signer.Algorithm, signer.Sign(input));
    }

    /// <summary>
    /// Verifies the signature with the key the issuer had when it issued the receipt; null when it holds.
    /// </summary>
    public ReceiptFault? Verify(IKeyResolver keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Resolve(Receipt.Issuer, KeyId, Receipt.IssuedAt) switch
        {
            KeyLookup.Found found => found.Key.Verify(_signingInput, _signature, Algorithm)
                ? null
                : new ReceiptFault.BadSignature(KeyId),
            KeyLookup.NotValidAt nv => new ReceiptFault.KeyNotValidAtTime(KeyId, Receipt.IssuedAt, nv.ValidFrom, nv.ValidUntil, nv.Reason),
            _ => new ReceiptFault.UnknownKey(Receipt.Issuer, KeyId),
        };
    }

    /// <summary>The wire form: the signing input, then the signature as a u32-length-prefixed byte string.</summary>
    public byte[] Encode() =>
        new CanonicalWriter(_signingInput.Length + 4 + _signature.Length)
            .Fixed(_signingInput).Bytes(_signature).ToArray();

    /// <summary>Decodes the wire form, with typed errors; never throws.</summary>
    public static Decoded<SignedReceipt> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxEncodedBytes)
        {
            return Decoder.Fail<SignedReceipt>(
                FormatErrorKind.LengthOutOfRange, $"An encoded receipt is at most {MaxEncodedBytes} bytes; {bytes.Length} given.");
        }

        var copy = bytes.ToArray();
        return Decoder.Run(() =>
        {
            var reader = new CanonicalReader(copy);
            reader.Domain(DomainTag);
            reader.Version(Version, "Receipt");
            var issuer = reader.Identifier("issuer");
            var origin = reader.Identifier("origin");
            var kind = OptionalIdentifier(ref reader, "entity kind");
            var id = OptionalIdentifier(ref reader, "entity id");
            var sequence = reader.U64("sequence");
            var entryHash = reader.Hash("entry hash");
            var verdict = (ReceiptVerdict)reader.U8("verdict");
            if (!Enum.IsDefined(verdict))
            {
                throw new LedgerFormatException($"Receipt verdict {(byte)verdict} at offset {reader.Offset - 1} is unknown.");
            }

            var reason = reader.Utf8("reason", Receipt.MaxReasonBytes);
            var micros = reader.I64("issue time");
            var keyId = reader.Identifier("key id");
            var algorithm = (SignatureAlgorithm)reader.U16("algorithm");
            var signature = reader.Bytes("signature", EntryLimits.MaxSignatureBytes);
            reader.ExpectEnd("Signed receipt");

            if (micros < 0 || micros > MaxMicros)
            {
                throw new LedgerFormatException($"Issue time {micros} µs is outside years 1970 to 9999.");
            }

            if (!Enum.IsDefined(algorithm))
            {
                throw new LedgerFormatException($"Signature algorithm {(ushort)algorithm} is unknown.");
            }

            if (signature.IsEmpty)
            {
                throw new LedgerFormatException(new FormatError(FormatErrorKind.LengthOutOfRange, "The signature is empty."));
            }

            // The constructor applies the receipt's rules (named or unnamed entry, reason by verdict);
            // a broken one surfaces as an InvalidValue error.
            var receipt = new Receipt(issuer, origin, kind, id, sequence, entryHash, verdict, reason, DateTimeOffset.UnixEpoch.AddTicks(micros * 10));
            return new SignedReceipt(receipt, keyId, algorithm, signature);
        });
    }

    /// <inheritdoc />
    public override string ToString() => $"{Receipt} signed by {KeyId}";

    private static readonly long MaxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    // Entity kind and id are empty in a rejection of input that did not decode; otherwise identifiers.
    private static string OptionalIdentifier(ref CanonicalReader reader, string field)
    {
        var value = reader.Utf8(field, Identifier.MaxLength);
        var problem = value.Length == 0 ? null : Identifier.Explain(value);
        if (problem is not null)
        {
            throw new LedgerFormatException($"{field} \"{value}\" {problem}.");
        }

        return value;
    }
}
