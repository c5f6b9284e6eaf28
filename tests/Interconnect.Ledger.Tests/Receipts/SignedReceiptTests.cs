using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Receipts;
using Interconnect.Ledger.Signing;
using Interconnect.Ledger.Tests.WorkedExample;

namespace Interconnect.Ledger.Tests.Receipts;

public sealed class SignedReceiptTests : IDisposable
{
    private const string Issuer = "FR";
    private const string Origin = "NL";
    private const string Reason = "Suspension non reconnue (réf. 2026-17)";

    // Entry 2 of the worked example (docs/ledger-format.md, 9.3).
    private static readonly Hash256 EntryHash = Hash256.FromHex("1817840e473dc0999515dd64f1e68cfededc510bb3f62a11f92b1565569b6b35");
    private static readonly DateTimeOffset At = new(2026, 11, 20, 11, 0, 5, 250, TimeSpan.Zero);

    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void BuildSigningInput_FixedReceipt_IsTheSpecifiedBytes()
    {
        // Arrange: bytes worked out independently of this code (Python struct.pack); docs 10.1.
        var receipt = Rejection(ReceiptVerdict.BusinessRejected);

        // Act
        var input = SignedReceipt.BuildSigningInput(receipt, "0123456789abcdef0123456789abcdef", SignatureAlgorithm.EcdsaP256Sha256);

        // Assert
        Assert.Equal(
            "696e746572636f6e6e6563742f7265636569707400" + "01" + "000000024652" + "000000024e4c"
            + "0000000c61656f2d6f70657261746f72" + "0000000d4e4c41454f4630303030313233" + "0000000000000002"
            + "1817840e473dc0999515dd64f1e68cfededc510bb3f62a11f92b1565569b6b35" + "04"
            + "0000002753757370656e73696f6e206e6f6e207265636f6e6e7565202872c3a9662e20323032362d313729"
            + "000660b3258687d0" + "000000203031323334353637383961626364656630313233343536373839616263646566" + "0001",
            Convert.ToHexStringLower(input));
        Assert.Equal(1795172405250000, receipt.IssuedAtMicros);
    }

    [Fact]
    public void Sign_SignatureOverTheSigningInput_VerifiesHereAndWithOpenSsl()
    {
        // Arrange
        var signed = SignedReceipt.Sign(Rejection(ReceiptVerdict.Rejected), _signer);

        // Act
        var fault = signed.Verify(Keys(Issuer));
        var openssl = OpenSsl.VerifyP1363(_signer.PublicKey.ToPem(), signed.SigningInput.ToArray(), signed.Signature.ToArray());

        // Assert
        Assert.Null(fault);
        Assert.Equal("Verified OK", openssl);
        Assert.Equal(_signer.KeyId, signed.KeyId);
        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, signed.Algorithm);
    }

    public static TheoryData<string> RoundTripCases => ["endorsed", "rejected", "business-accepted", "business-accepted-with-reason", "business-rejected", "unnamed-rejection"];

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Decode_EncodedReceipt_RoundTrips(string name)
    {
        // Arrange
        var signed = SignedReceipt.Sign(Case(name), _signer);
        var bytes = signed.Encode();

        // Act
        var decoded = SignedReceipt.Decode(bytes);

        // Assert
        Assert.True(decoded.Ok, decoded.Error?.Message);
        Assert.Equal(signed.Receipt, decoded.Value!.Receipt);
        Assert.Equal(signed.KeyId, decoded.Value.KeyId);
        Assert.Equal(bytes, decoded.Value.Encode());
        Assert.Null(decoded.Value.Verify(Keys(Issuer)));
    }

    [Fact]
    public void Encode_SignedReceipt_IsSigningInputThenLengthPrefixedSignature()
    {
        // Arrange
        var signed = SignedReceipt.Sign(Endorsement(), _signer);

        // Act
        var bytes = signed.Encode();

        // Assert
        byte[] expected = [.. signed.SigningInput, 0, 0, 0, 64, .. signed.Signature];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void DecodeAndVerify_AnyBitFlipped_FailsOneOrTheOther()
    {
        // Arrange
        var keys = Keys(Issuer);
        var bytes = SignedReceipt.Sign(Rejection(ReceiptVerdict.BusinessRejected), _signer).Encode();
        var accepted = 0;

        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                var tampered = (byte[])bytes.Clone();
                tampered[i] ^= mask;

                // Act
                var decoded = SignedReceipt.Decode(tampered);

                // Assert
                if (decoded.Ok)
                {
                    Assert.NotNull(decoded.Value!.Verify(keys));
                }
                else
                {
                    Assert.NotNull(decoded.Error);
                }

                accepted += decoded.Ok && decoded.Value!.Verify(keys) is null ? 1 : 0;
            }
        }

        Assert.Equal(0, accepted);
    }

    [Fact]
    public void Decode_TruncatedAtEveryLength_IsTruncated()
    {
        // Arrange
        var bytes = SignedReceipt.Sign(Rejection(ReceiptVerdict.Rejected), _signer).Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            // Act
            var decoded = SignedReceipt.Decode(bytes.AsSpan(0, length));

            // Assert
            Assert.Equal(FormatErrorKind.Truncated, decoded.Error?.Kind);
        }
    }

    [Fact]
    public void Decode_WrongDomainVersionOrTrailingByte_IsTypedError()
    {
        // Arrange
        var bytes = SignedReceipt.Sign(Endorsement(), _signer).Encode();
        var wrongDomain = (byte[])bytes.Clone();
        wrongDomain[13] = (byte)'c'; // "interconnect/receipt" -> "interconnect/ceceipt"
        var checkpointDomain = System.Text.Encoding.ASCII.GetBytes("interconnect/checkpoint\0").Concat(bytes.Skip(21)).ToArray();
        var version2 = (byte[])bytes.Clone();
        version2[SignedReceipt.DomainTag.Length + 1] = 2;
        byte[] trailing = [.. bytes, 0];

        // Act / Assert
        Assert.Equal(FormatErrorKind.WrongDomain, SignedReceipt.Decode(wrongDomain).Error?.Kind);
        Assert.Equal(FormatErrorKind.WrongDomain, SignedReceipt.Decode(checkpointDomain).Error?.Kind);
        Assert.Equal(FormatErrorKind.UnknownVersion, SignedReceipt.Decode(version2).Error?.Kind);
        Assert.Equal(FormatErrorKind.TrailingBytes, SignedReceipt.Decode(trailing).Error?.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(255)]
    public void Decode_UnknownVerdict_IsInvalidValue(byte verdict)
    {
        // Arrange
        var input = Input(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, verdict, string.Empty);

        // Act
        var decoded = SignedReceipt.Decode(WithSignature(input));

        // Assert
        Assert.Equal(FormatErrorKind.InvalidValue, decoded.Error?.Kind);
        Assert.Contains($"verdict {verdict}", decoded.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ReceiptBreakingItsRules_IsInvalidValue()
    {
        // Arrange: well-formed bytes whose content no issuer may sign.
        byte[][] broken =
        [
            Input(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, (byte)ReceiptVerdict.Endorsed, "fine"),
            Input(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, (byte)ReceiptVerdict.Rejected, string.Empty),
            Input(Issuer, Origin, string.Empty, string.Empty, 0, Hash256.Zero, (byte)ReceiptVerdict.Endorsed, string.Empty),
            Input(Issuer, Origin, "aeo-operator", string.Empty, 2, EntryHash, (byte)ReceiptVerdict.Rejected, "why"),
            Input(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 0, EntryHash, (byte)ReceiptVerdict.Rejected, "why"),
            Input(Issuer, Origin, "aeo operator", "NLAEOF0000123", 2, EntryHash, (byte)ReceiptVerdict.Rejected, "why"),
        ];

        foreach (var input in broken)
        {
            // Act
            var decoded = SignedReceipt.Decode(WithSignature(input));

            // Assert
            Assert.Equal(FormatErrorKind.InvalidValue, decoded.Error?.Kind);
        }
    }

    [Fact]
    public void Decode_UnknownAlgorithmEmptySignatureOrOversizedInput_IsTypedError()
    {
        // Arrange
        var input = SignedReceipt.BuildSigningInput(Endorsement(), "k1", SignatureAlgorithm.EcdsaP256Sha256);
        var unknownAlgorithm = (byte[])input.Clone();
        unknownAlgorithm[^1] = 9;
        byte[] withAlgorithm9 = [.. unknownAlgorithm, 0, 0, 0, 1, 0xaa];
        byte[] emptySignature = [.. input, 0, 0, 0, 0];
        var oversized = new byte[SignedReceipt.MaxEncodedBytes + 1];

        // Act / Assert
        Assert.Equal(FormatErrorKind.InvalidValue, SignedReceipt.Decode(withAlgorithm9).Error?.Kind);
        Assert.Equal(FormatErrorKind.LengthOutOfRange, SignedReceipt.Decode(emptySignature).Error?.Kind);
        Assert.Equal(FormatErrorKind.LengthOutOfRange, SignedReceipt.Decode(oversized).Error?.Kind);
    }

    [Fact]
    public void MaxEncodedBytes_IsTheLengthOfTheLargestReceipt()
    {
        // Arrange: every variable field at its limit.
        var id = new string('a', 128);
        var receipt = new Receipt(id, id, id, id, ulong.MaxValue, EntryHash, ReceiptVerdict.Rejected, new string('é', Receipt.MaxReasonBytes / 2), At);
        var signed = new SignedReceipt(receipt, id, SignatureAlgorithm.EcdsaP256Sha256, new byte[512]);

        // Act
        var bytes = signed.Encode();

        // Assert
        Assert.Equal(SignedReceipt.MaxEncodedBytes, bytes.Length);
        Assert.True(SignedReceipt.Decode(bytes).Ok);
    }

    [Fact]
    public void Verify_SignatureChanged_IsBadSignature()
    {
        // Arrange
        var signed = SignedReceipt.Sign(Endorsement(), _signer);
        var signature = signed.Signature.ToArray();
        signature[10] ^= 0x40;
        var tampered = new SignedReceipt(signed.Receipt, signed.KeyId, signed.Algorithm, signature);

        // Act
        var fault = tampered.Verify(Keys(Issuer));

        // Assert
        Assert.Equal(new ReceiptFault.BadSignature(_signer.KeyId), fault);
    }

    [Fact]
    public void Verify_AnotherVerdictUnderTheSameSignature_IsBadSignature()
    {
        // Arrange: a rejection's signature presented as an endorsement's.
        var signed = SignedReceipt.Sign(Rejection(ReceiptVerdict.Rejected), _signer);
        var replayed = new SignedReceipt(Endorsement(), signed.KeyId, signed.Algorithm, signed.Signature);

        // Act
        var fault = replayed.Verify(Keys(Issuer));

        // Assert
        Assert.IsType<ReceiptFault.BadSignature>(fault);
    }

    [Fact]
    public void Verify_SignedByAnotherKeyUnderTheIssuersKeyId_IsBadSignature()
    {
        // Arrange
        using var wrong = EcdsaP256Signer.Generate();
        var receipt = Endorsement();
        var forged = new SignedReceipt(receipt, _signer.KeyId, wrong.Algorithm, wrong.Sign(SignedReceipt.BuildSigningInput(receipt, _signer.KeyId, wrong.Algorithm)));

        // Act
        var fault = forged.Verify(Keys(Issuer));

        // Assert
        Assert.Equal(new ReceiptFault.BadSignature(_signer.KeyId), fault);
    }

    [Fact]
    public void Verify_KeyHeldOnlyForTheOrigin_IsUnknownKey()
    {
        // Arrange: the key is the origin's, not the issuer's, so the issuer's lookup must not find it.
        var signed = SignedReceipt.Sign(Endorsement(), _signer);

        // Act
        var fault = signed.Verify(Keys(Origin));

        // Assert
        Assert.Equal(new ReceiptFault.UnknownKey(Issuer, _signer.KeyId), fault);
    }

    [Fact]
    public void Verify_AsksForTheIssuersKeyAtTheIssueTime()
    {
        // Arrange
        var signed = SignedReceipt.Sign(Endorsement(), _signer);
        var from = At.AddDays(-30);
        var until = At.AddDays(-1);
        var keys = new FixedAnswerResolver(new KeyLookup.NotValidAt(from, until, "revoked at 2026-11-19: compromised"));

        // Act
        var fault = signed.Verify(keys);

        // Assert
        Assert.Equal(new ReceiptFault.KeyNotValidAtTime(_signer.KeyId, At, from, until, "revoked at 2026-11-19: compromised"), fault);
        Assert.Equal((Issuer, _signer.KeyId, At), keys.Asked);
    }

    [Fact]
    public void Verify_KeyRotatedOut_IsKeyNotValidAtTimeAfterTheRotationOnly()
    {
        // Arrange: the issuer's key set rotates from the first key to the second at 12:00.
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(Issuer);
        author.Genesis(first, Hour(8));
        author.Rotate(first, second.PublicKey, Hour(12));
        var keys = author.KeySet!;

        // Act
        var beforeRotation = SignedReceipt.Sign(Endorsement(Hour(11)), first).Verify(keys);
        var afterRotation = SignedReceipt.Sign(Endorsement(Hour(13)), first).Verify(keys);
        var byTheSuccessor = SignedReceipt.Sign(Endorsement(Hour(13)), second).Verify(keys);

        // Assert
        Assert.Null(beforeRotation);
        Assert.Null(byTheSuccessor);
        var fault = Assert.IsType<ReceiptFault.KeyNotValidAtTime>(afterRotation);
        Assert.Equal(first.KeyId, fault.KeyId);
        Assert.Equal(Hour(13), fault.At);
        Assert.Equal(Hour(12), fault.ValidUntil);
        Assert.Equal("rotated at 2026-11-20T12:00:00.000000Z", fault.Reason);
    }

    [Theory]
    [InlineData(ReceiptVerdict.Endorsed, "", true)]
    [InlineData(ReceiptVerdict.Endorsed, "ok", false)]
    [InlineData(ReceiptVerdict.Rejected, "", false)]
    [InlineData(ReceiptVerdict.Rejected, "sequence 3 expected, 5 given", true)]
    [InlineData(ReceiptVerdict.BusinessAccepted, "", true)]
    [InlineData(ReceiptVerdict.BusinessAccepted, "accepted under MRA art. 4", true)]
    [InlineData(ReceiptVerdict.BusinessRejected, "", false)]
    [InlineData(ReceiptVerdict.BusinessRejected, "operator unknown", true)]
    public void Constructor_ReasonByVerdict_IsRequiredForRejectionsAndRefusedForEndorsements(ReceiptVerdict verdict, string reason, bool valid)
    {
        // Act
        var build = () => new Receipt(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, verdict, reason, At);

        // Assert
        if (valid)
        {
            Assert.Equal(reason, build().Reason);
        }
        else
        {
            Assert.Equal("reason", Assert.Throws<ArgumentException>(build).ParamName);
        }
    }

    [Fact]
    public void Constructor_ReasonOverTheByteLimitOrNotUnicode_Throws()
    {
        // Arrange: 'é' is two UTF-8 bytes, so 512 of them are exactly the limit.
        var atLimit = new string('é', Receipt.MaxReasonBytes / 2);

        // Act / Assert
        Assert.Equal(atLimit, Rejection(ReceiptVerdict.Rejected, atLimit).Reason);
        Assert.Throws<ArgumentException>(() => Rejection(ReceiptVerdict.Rejected, atLimit + "x"));
        Assert.Throws<ArgumentException>(() => Rejection(ReceiptVerdict.Rejected, "half a pair \ud800"));
        Assert.Throws<ArgumentNullException>(() => Rejection(ReceiptVerdict.Rejected, null!));
    }

    [Fact]
    public void Constructor_EntryNamedByAllOrNone_OnlyRejectionsMayLeaveItUnnamed()
    {
        // Act / Assert
        var unnamed = new Receipt(Issuer, Origin, string.Empty, string.Empty, 0, Hash256.Zero, ReceiptVerdict.Rejected, "not a signed entry", At);
        Assert.False(unnamed.NamesEntry);
        Assert.True(Endorsement().NamesEntry);
        Assert.Throws<ArgumentException>(() => new Receipt(Issuer, Origin, string.Empty, string.Empty, 0, Hash256.Zero, ReceiptVerdict.BusinessRejected, "x", At));
        Assert.Throws<ArgumentException>(() => new Receipt(Issuer, Origin, "aeo-operator", string.Empty, 2, EntryHash, ReceiptVerdict.Rejected, "x", At));
        Assert.Throws<ArgumentException>(() => new Receipt(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 0, EntryHash, ReceiptVerdict.Rejected, "x", At));
        Assert.Throws<ArgumentException>(() => new Receipt(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, Hash256.Zero, ReceiptVerdict.Rejected, "x", At));
        Assert.Throws<ArgumentException>(() => new Receipt(Issuer, Origin, string.Empty, string.Empty, 0, EntryHash, ReceiptVerdict.Rejected, "x", At));
    }

    [Theory]
    [InlineData("", Origin)]
    [InlineData("F R", Origin)]
    [InlineData(Issuer, "")]
    [InlineData(Issuer, "-NL")]
    public void Constructor_InvalidIssuerOrOrigin_Throws(string issuer, string origin)
    {
        // Act / Assert
        Assert.Throws<ArgumentException>(() => new Receipt(issuer, origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, ReceiptVerdict.Endorsed, string.Empty, At));
    }

    [Fact]
    public void Constructor_IssuedAt_IsTruncatedToTheMicrosecondAndMustFollow1970()
    {
        // Act
        var receipt = Endorsement(At.AddTicks(7));
        var local = Endorsement(At.ToOffset(TimeSpan.FromHours(9)));

        // Assert
        Assert.Equal(At, receipt.IssuedAt);
        Assert.Equal(receipt, Endorsement(At));
        Assert.Equal(TimeSpan.Zero, local.IssuedAt.Offset);
        Assert.Equal(receipt, local);
        Assert.Throws<ArgumentException>(() => Endorsement(DateTimeOffset.UnixEpoch.AddTicks(-10)));
    }

    private static DateTimeOffset Hour(int hour) => new(2026, 11, 20, hour, 0, 0, TimeSpan.Zero);

    private static Receipt Endorsement(DateTimeOffset? at = null) =>
        new(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, ReceiptVerdict.Endorsed, string.Empty, at ?? At);

    private static Receipt Rejection(ReceiptVerdict verdict, string reason = Reason) =>
        new(Issuer, Origin, "aeo-operator", "NLAEOF0000123", 2, EntryHash, verdict, reason, At);

    private static Receipt Case(string name) => name switch
    {
        "endorsed" => Endorsement(),
        "rejected" => Rejection(ReceiptVerdict.Rejected, "sequence 3 expected, 5 given"),
        "business-accepted" => Rejection(ReceiptVerdict.BusinessAccepted, string.Empty),
        "business-accepted-with-reason" => Rejection(ReceiptVerdict.BusinessAccepted, "accepted under MRA art. 4"),
        "business-rejected" => Rejection(ReceiptVerdict.BusinessRejected),
        "unnamed-rejection" => new Receipt(Issuer, Origin, string.Empty, string.Empty, 0, Hash256.Zero, ReceiptVerdict.Rejected, "Truncated at offset 40", At),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    // A signing input written field by field, so tests can present bytes the Receipt type refuses to build.
    private static byte[] Input(string issuer, string origin, string kind, string id, ulong sequence, Hash256 hash, byte verdict, string reason) =>
        new CanonicalWriter()
            .Domain(SignedReceipt.DomainTag).U8(SignedReceipt.Version)
            .Utf8(issuer).Utf8(origin).Utf8(kind).Utf8(id)
            .U64(sequence).Hash(hash).U8(verdict).Utf8(reason)
            .I64(1795172405250000).Utf8("k1").U16(1)
            .ToArray();

    private static byte[] WithSignature(byte[] input) => [.. input, 0, 0, 0, 64, .. new byte[64]];

    private StaticKeyResolver Keys(string administration) => new([(administration, _signer.PublicKey)]);

    private sealed class FixedAnswerResolver(KeyLookup answer) : IKeyResolver
    {
        public (string Administration, string KeyId, DateTimeOffset At)? Asked { get; private set; }

        public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at)
        {
            Asked = (origin, keyId, at);
            return answer;
        }
    }
}
