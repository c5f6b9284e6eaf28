using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Entries;

/// <summary>
/// A signed ledger entry: the body and the signature over its signing input. Immutable. Field values
/// travel apart from the entry (see <see cref="Disclosure.DisclosedEntry"/>), so an entry can be
/// verified by a party that may see only some of its fields.
/// </summary>
public sealed class LedgerEntry
{
    private readonly byte[] _signature;

    /// <summary>Wraps a body and its signature (not verified here; see <see cref="Chains.ChainVerifier"/>).</summary>
    public LedgerEntry(EntryBody body, ReadOnlySpan<byte> signature)
        : this(body, signature.ToArray(), adopt: true)
    {
    }

    // Takes ownership of the array: the signing path hands over a signature it just produced.
    private LedgerEntry(EntryBody body, byte[] signature, bool adopt)
    {
        ArgumentNullException.ThrowIfNull(body);
        System.Diagnostics.Debug.Assert(adopt);
        if (signature.Length == 0 || signature.Length > EntryLimits.MaxSignatureBytes)
        {
            throw new ArgumentException($"A signature is 1 to {EntryLimits.MaxSignatureBytes} bytes; {signature.Length} given.", nameof(signature));
        }

        Body = body;
        _signature = signature;
    }

    /// <summary>What the signature covers.</summary>
    public EntryBody Body { get; }

    /// <summary>The signature bytes (IEEE P1363 r||s for ECDSA P-256).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The entry hash (SHA-256 of the signing input).</summary>
    public Hash256 Hash => Body.Hash;

    /// <summary>Signs <paramref name="body"/>; refuses a body naming another key or algorithm.</summary>
    public static LedgerEntry Sign(EntryBody body, ISigner signer)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(signer);
        if (!string.Equals(body.KeyId, signer.KeyId, StringComparison.Ordinal) || body.Algorithm != signer.Algorithm)
        {
            throw new ArgumentException(
                $"The entry names key {body.KeyId} ({body.Algorithm}) but the signer holds {signer.KeyId} ({signer.Algorithm}).",
                nameof(signer));
        }

        return new LedgerEntry(body, signer.Sign(body.SigningInput), adopt: true);
    }

    /// <summary>The wire form: signing input, then the signature as a u32-length-prefixed byte string.</summary>
    public byte[] Encode() =>
        new CanonicalWriter(Body.SigningInput.Length + 4 + _signature.Length)
            .Fixed(Body.SigningInput).Bytes(_signature).ToArray();

    /// <summary>Decodes the wire form, with typed errors and a size limit.</summary>
    public static Decoded<LedgerEntry> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > EntryLimits.MaxEncodedBytes)
        {
            return new Decoded<LedgerEntry>(null, new FormatError(
                FormatErrorKind.LengthOutOfRange, $"An encoded entry is at most {EntryLimits.MaxEncodedBytes} bytes; {bytes.Length} given."));
        }

        var copy = bytes.ToArray();
        return Decoder.Run(() =>
        {
            var reader = new CanonicalReader(copy);
            var body = EntryBody.Read(ref reader);
            var signature = reader.Bytes("signature", EntryLimits.MaxSignatureBytes);
            if (signature.IsEmpty)
            {
                throw new LedgerFormatException(new FormatError(FormatErrorKind.LengthOutOfRange, "The signature is empty."));
            }

            reader.ExpectEnd("Entry");
            return new LedgerEntry(body, signature);
        });
    }

    /// <inheritdoc />
    public override string ToString() => $"{Body.Origin}/{Body.EntityKind}/{Body.EntityId}#{Body.Sequence} {Body.EntryType} {Hash}";
}
