using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Ledger.Tests.Support;

namespace Interconnect.Ledger.Tests.Entries;

public sealed class EntryFormatTests : IDisposable
{
    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void Encode_Decode_RoundTripsEveryField()
    {
        var entry = new EntryFactory(_signer).Next().Entry;

        var decoded = LedgerEntry.Decode(entry.Encode());

        Assert.True(decoded.Ok, decoded.Error?.Message);
        var body = decoded.Value!.Body;
        Assert.Equal(entry.Hash, decoded.Value.Hash);
        Assert.Equal(entry.Body.Origin, body.Origin);
        Assert.Equal(entry.Body.EntityKind, body.EntityKind);
        Assert.Equal(entry.Body.EntityId, body.EntityId);
        Assert.Equal(entry.Body.Sequence, body.Sequence);
        Assert.Equal(entry.Body.Timestamp, body.Timestamp);
        Assert.Equal(entry.Body.Fields.AsEnumerable(), body.Fields.AsEnumerable());
        Assert.True(entry.Signature.SequenceEqual(decoded.Value.Signature));
    }

    [Fact]
    public void Hash_IsSha256OfTheSigningInput()
    {
        var entry = new EntryFactory(_signer).Next().Entry;

        Assert.Equal(Hash256.Of(entry.Body.SigningInput), entry.Hash);
    }

    [Fact]
    public void SigningInput_StartsWithDomainPrefixAndVersion()
    {
        var entry = new EntryFactory(_signer).Next().Entry;

        var expected = "interconnect/entry\0\u0001"u8.ToArray();
        Assert.Equal(expected, entry.Body.SigningInput[..expected.Length].ToArray());
    }

    [Fact]
    public void Decode_EveryTruncation_GivesTypedErrorNotException()
    {
        var bytes = new EntryFactory(_signer).Next().Entry.Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            var decoded = LedgerEntry.Decode(bytes.AsSpan(0, length));
            Assert.False(decoded.Ok, $"A prefix of {length} bytes decoded.");
            Assert.NotNull(decoded.Error);
        }
    }

    [Fact]
    public void Decode_UnknownVersion_IsReportedAsSuch()
    {
        var bytes = new EntryFactory(_signer).Next().Entry.Encode();
        bytes["interconnect/entry\0".Length] = 2;

        var decoded = LedgerEntry.Decode(bytes);

        Assert.Equal(FormatErrorKind.UnknownVersion, decoded.Error?.Kind);
    }

    [Fact]
    public void Decode_WrongDomain_IsReportedAsSuch()
    {
        var bytes = new EntryFactory(_signer).Next().Entry.Encode();
        bytes[0] = (byte)'X';

        Assert.Equal(FormatErrorKind.WrongDomain, LedgerEntry.Decode(bytes).Error?.Kind);
    }

    [Fact]
    public void Decode_TrailingByte_IsReportedAsSuch()
    {
        var bytes = new EntryFactory(_signer).Next().Entry.Encode().Append((byte)0).ToArray();

        Assert.Equal(FormatErrorKind.TrailingBytes, LedgerEntry.Decode(bytes).Error?.Kind);
    }

    [Fact]
    public void Decode_HugeLengthPrefix_IsRefusedWithoutAllocating()
    {
        var bytes = new EntryFactory(_signer).Next().Entry.Encode();
        var originLength = "interconnect/entry\0".Length + 1;
        bytes[originLength] = 0xFF;

        Assert.Equal(FormatErrorKind.LengthOutOfRange, LedgerEntry.Decode(bytes).Error?.Kind);
    }

    [Fact]
    public void Decode_OversizedInput_IsRefused()
    {
        var decoded = LedgerEntry.Decode(new byte[EntryLimits.MaxEncodedBytes + 1]);

        Assert.Equal(FormatErrorKind.LengthOutOfRange, decoded.Error?.Kind);
    }

    [Fact]
    public void FlippingAnyBit_IsDetectedByDecodeOrSignature()
    {
        var entry = new EntryFactory(_signer).Next().Entry;
        var bytes = entry.Encode();
        var keys = new StaticKeyResolver([("NL", _signer.PublicKey)]);

        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            var decoded = LedgerEntry.Decode(tampered);
            if (decoded.Ok)
            {
                var fault = Interconnect.Ledger.Chains.ChainVerifier.VerifySignature(decoded.Value!, keys);
                Assert.True(fault is not null, $"Flipping byte {i} went unnoticed.");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" NL")]
    [InlineData("NL customs")]
    [InlineData("NL\u00e9")]
    [InlineData("-NL")]
    public void EntryBody_IdentifierOutOfFormat_IsRefusedWithReason(string origin)
    {
        var error = Assert.Throws<ArgumentException>(() => new EntryBody(
            origin, "aeo-operator", "X1", 1, Hash256.Zero, EntryFactory.Start, "aeo.certified", [], _signer.KeyId, _signer.Algorithm));

        Assert.Contains("origin administration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntryBody_UnsortedFields_AreRefused()
    {
        var salt = FieldDigest.NewSalt();
        FieldCommitment[] fields = [new("b", FieldDigest.Compute(salt, "b", "1")), new("a", FieldDigest.Compute(salt, "a", "2"))];

        var error = Assert.Throws<ArgumentException>(() => new EntryBody(
            "NL", "aeo-operator", "X1", 1, Hash256.Zero, EntryFactory.Start, "aeo.certified", fields, _signer.KeyId, _signer.Algorithm));

        Assert.Contains("sorted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntryBody_SubMicrosecondTime_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new EntryBody(
            "NL", "aeo-operator", "X1", 1, Hash256.Zero, EntryFactory.Start.AddTicks(3), "aeo.certified", [], _signer.KeyId, _signer.Algorithm));

        Assert.Contains("sub-microsecond", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntryBody_FirstEntryWithNonZeroPreviousHash_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new EntryBody(
            "NL", "aeo-operator", "X1", 1, Hash256.Of([1]), EntryFactory.Start, "aeo.certified", [], _signer.KeyId, _signer.Algorithm));
    }

    [Fact]
    public void Sign_WithAnotherKeyThanTheBodyNames_IsRefused()
    {
        using var other = EcdsaP256Signer.Generate();
        var body = new EntryBody("NL", "aeo-operator", "X1", 1, Hash256.Zero, EntryFactory.Start, "aeo.certified", [], _signer.KeyId, _signer.Algorithm);

        var error = Assert.Throws<ArgumentException>(() => LedgerEntry.Sign(body, other));

        Assert.Contains(_signer.KeyId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signature_IsP1363SixtyFourBytes()
    {
        var entry = new EntryFactory(_signer).Next().Entry;

        Assert.Equal(64, entry.Signature.Length);
    }

    [Fact]
    public void KeyId_IsDerivedFromThePublicKey()
    {
        var spki = _signer.PublicKey.SubjectPublicKeyInfo.ToArray();

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(spki))[..32], _signer.KeyId);
        Assert.Equal(_signer.KeyId, PublicKey.FromPem(_signer.PublicKey.ToPem()).KeyId);
    }

    [Fact]
    public void PublicKey_PemOfAnotherKeyTypeOrCorrupt_GivesFormatException()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var corrupt = "-----BEGIN PUBLIC KEY-----\nAAECAwQFBgcICQ==\n-----END PUBLIC KEY-----";

        Assert.Throws<FormatException>(() => PublicKey.FromPem(rsa.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<FormatException>(() => PublicKey.FromPem(corrupt));
    }

    [Fact]
    public void PublicKey_GarbageSpki_GivesFormatException()
    {
        Assert.Throws<FormatException>(() => PublicKey.FromSubjectPublicKeyInfo([1, 2, 3]));
    }
}
