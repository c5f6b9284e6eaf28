using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Checkpoints;

/// <summary>
/// A checkpoint with the signature of its origin's key. The signing input is
/// Domain("interconnect/checkpoint"), u8 version 1, string origin, u64 tree size, 32-byte root,
/// i64 timestamp (µs since the Unix epoch), string key id, u16 algorithm; the wire form is the
/// signing input followed by the u32-length-prefixed signature. Immutable.
/// </summary>
public sealed class SignedCheckpoint
{
    /// <summary>The domain-separation tag of checkpoint signing inputs.</summary>
    public const string DomainTag = "interconnect/checkpoint";

    /// <summary>Format version of the checkpoint signing input.</summary>
    public const byte Version = 1;

    private readonly byte[] _signature;
    private readonly byte[] _signingInput;

    /// <summary>Wraps a checkpoint and a signature (not verified here; see <see cref="Verify"/>).</summary>
    public SignedCheckpoint(Checkpoint checkpoint, string keyId, SignatureAlgorithm algorithm, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Identifier.Require(keyId, "key id");
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentException($"Signature algorithm {(ushort)algorithm} is unknown.", nameof(algorithm));
        }

        if (signature.IsEmpty || signature.Length > EntryLimits.MaxSignatureBytes)
        {
            throw new ArgumentException($"A signature is 1 to {EntryLimits.MaxSignatureBytes} bytes; {signature.Length} given.", nameof(signature));
        }

        Checkpoint = checkpoint;
        KeyId = keyId;
        Algorithm = algorithm;
        _signature = signature.ToArray();
        _signingInput = BuildSigningInput(checkpoint, keyId, algorithm);
    }

    /// <summary>What the signature covers (with the key id and algorithm).</summary>
    public Checkpoint Checkpoint { get; }

    /// <summary>The key that signed.</summary>
    public string KeyId { get; }

    /// <summary>The signature algorithm.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The signature bytes (IEEE P1363 r||s for ECDSA P-256).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The exact bytes that were signed.</summary>
    public ReadOnlySpan<byte> SigningInput => _signingInput;

    /// <summary>The signing input of <paramref name="checkpoint"/> signed by <paramref name="keyId"/> with <paramref name="algorithm"/>.</summary>
    public static byte[] BuildSigningInput(Checkpoint checkpoint, string keyId, SignatureAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Identifier.Require(keyId, "key id");
        return new CanonicalWriter(DomainTag.Length + 1 + 1 + 4 + checkpoint.Origin.Length + 8 + Hash256.Size + 8 + 4 + keyId.Length + 2)
            .Domain(DomainTag).U8(Version)
            .Utf8(checkpoint.Origin)
            .U64((ulong)checkpoint.TreeSize)
            .Hash(checkpoint.RootHash)
            .I64(checkpoint.TimestampMicros)
            .Utf8(keyId)
            .U16((ushort)algorithm)
            .ToArray();
    }

    /// <summary>Signs <paramref name="checkpoint"/> with <paramref name="signer"/>'s key.</summary>
    public static SignedCheckpoint Sign(Checkpoint checkpoint, ISigner signer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(signer);
        var input = BuildSigningInput(checkpoint, signer.KeyId, signer.Algorithm);
        return new SignedCheckpoint(checkpoint, signer.KeyId, signer.Algorithm, signer.Sign(input));
    }

    /// <summary>
    /// Verifies the signature with the key the origin had at the checkpoint's time; null when it holds.
    /// </summary>
    public CheckpointFault? Verify(IKeyResolver keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Resolve(Checkpoint.Origin, KeyId, Checkpoint.Timestamp) switch
        {
            KeyLookup.Found found => found.Key.Verify(_signingInput, _signature, Algorithm)
                ? null
                : new CheckpointFault.BadSignature(KeyId),
            KeyLookup.NotValidAt nv => new CheckpointFault.KeyNotValidAtTime(KeyId, Checkpoint.Timestamp, nv.ValidFrom, nv.ValidUntil, nv.Reason),
            _ => new CheckpointFault.UnknownKey(Checkpoint.Origin, KeyId),
        };
    }

    /// <summary>The wire form: the signing input, then the signature as a u32-length-prefixed byte string.</summary>
    public byte[] Encode() =>
        new CanonicalWriter(_signingInput.Length + 4 + _signature.Length)
            .Fixed(_signingInput).Bytes(_signature).ToArray();

    /// <summary>Decodes the wire form, with typed errors; never throws.</summary>
    public static Decoded<SignedCheckpoint> Decode(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        return Decoder.Run(() =>
        {
            var reader = new CanonicalReader(copy);
            reader.Domain(DomainTag);
            reader.Version(Version, "Checkpoint");
            var origin = reader.Identifier("origin");
            var treeSize = reader.U64("tree size");
            var root = reader.Hash("root hash");
            var micros = reader.I64("timestamp");
            var keyId = reader.Identifier("key id");
            var algorithm = (SignatureAlgorithm)reader.U16("algorithm");
            var signature = reader.Bytes("signature", EntryLimits.MaxSignatureBytes);
            reader.ExpectEnd("Signed checkpoint");

            if (treeSize > long.MaxValue)
            {
                throw new LedgerFormatException($"The tree size {treeSize} exceeds 2^63 - 1.");
            }

            if (micros < 0 || micros > MaxMicros)
            {
                throw new LedgerFormatException($"Timestamp {micros} µs is outside years 1970 to 9999.");
            }

            if (!Enum.IsDefined(algorithm))
            {
                throw new LedgerFormatException($"Signature algorithm {(ushort)algorithm} is unknown.");
            }

            if (signature.IsEmpty)
            {
                throw new LedgerFormatException(new FormatError(FormatErrorKind.LengthOutOfRange, "The signature is empty."));
            }

            var checkpoint = new Checkpoint(origin, (long)treeSize, root, DateTimeOffset.UnixEpoch.AddTicks(micros * 10));
            return new SignedCheckpoint(checkpoint, keyId, algorithm, signature);
        });
    }

    /// <inheritdoc />
    public override string ToString() => $"{Checkpoint} signed by {KeyId}";

    private static readonly long MaxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
