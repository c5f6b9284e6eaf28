using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Tests.Checkpoints;

public sealed class SignedCheckpointTests : IDisposable
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
    private static readonly Hash256 Root8 = Hash256.FromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void BuildSigningInput_FixedCheckpoint_IsTheSpecifiedBytes()
    {
        // Arrange: bytes worked out independently of this code (Python struct.pack).
        var checkpoint = new Checkpoint("BE-customs", 8, Root8, At);

        // Act
        var input = SignedCheckpoint.BuildSigningInput(checkpoint, "0123456789abcdef0123456789abcdef", SignatureAlgorithm.EcdsaP256Sha256);

        // Assert
        Assert.Equal(
            "696e746572636f6e6e6563742f636865636b706f696e7400" + "01" + "0000000a" + "42452d637573746f6d73"
            + "0000000000000008" + "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
            + "00064bf535b0f240" + "00000020" + "3031323334353637383961626364656630313233343536373839616263646566" + "0001",
            Convert.ToHexStringLower(input));
    }

    [Fact]
    public void Verify_SignedWithTheOriginsKey_IsValid()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);

        // Act
        var fault = signed.Verify(Keys("BE-customs"));

        // Assert
        Assert.Null(fault);
        Assert.Equal(_signer.KeyId, signed.KeyId);
        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, signed.Algorithm);
    }

    [Fact]
    public void Decode_EncodedCheckpoint_RoundTrips()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);
        var bytes = signed.Encode();

        // Act
        var decoded = SignedCheckpoint.Decode(bytes);

        // Assert
        Assert.True(decoded.Ok, decoded.Error?.Message);
        Assert.Equal(signed.Checkpoint, decoded.Value!.Checkpoint);
        Assert.Equal(At, decoded.Value.Checkpoint.Timestamp);
        Assert.Equal(bytes, decoded.Value.Encode());
        Assert.Null(decoded.Value.Verify(Keys("BE-customs")));
    }

    [Fact]
    public void Encode_SignedCheckpoint_IsSigningInputThenLengthPrefixedSignature()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);

        // Act
        var bytes = signed.Encode();

        // Assert
        byte[] expected = [.. signed.SigningInput, 0, 0, 0, 64, .. signed.Signature];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void DecodeAndVerify_AnyByteChanged_FailsOneOrTheOther()
    {
        // Arrange
        var keys = Keys("BE-customs");
        var bytes = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer).Encode();

        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                var tampered = (byte[])bytes.Clone();
                tampered[i] ^= mask;

                // Act
                var decoded = SignedCheckpoint.Decode(tampered);

                // Assert
                if (decoded.Ok)
                {
                    Assert.NotNull(decoded.Value!.Verify(keys));
                }
                else
                {
                    Assert.NotNull(decoded.Error);
                }
            }
        }
    }

    [Fact]
    public void Verify_SignatureChanged_IsBadSignature()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);
        var signature = signed.Signature.ToArray();
        signature[10] ^= 0x40;
        var tampered = new SignedCheckpoint(signed.Checkpoint, signed.KeyId, signed.Algorithm, signature);

        // Act
        var fault = tampered.Verify(Keys("BE-customs"));

        // Assert
        Assert.Equal(new CheckpointFault.BadSignature(_signer.KeyId), fault);
    }

    [Fact]
    public void Verify_CheckpointOfAnotherSizeUnderTheSameSignature_IsBadSignature()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);
        var replayed = new SignedCheckpoint(new Checkpoint("BE-customs", 9, Root8, At), signed.KeyId, signed.Algorithm, signed.Signature);

        // Act
        var fault = replayed.Verify(Keys("BE-customs"));

        // Assert
        Assert.IsType<CheckpointFault.BadSignature>(fault);
    }

    [Fact]
    public void Verify_KeyOfAnotherOrigin_IsUnknownKey()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);

        // Act
        var fault = signed.Verify(Keys("NL-customs"));

        // Assert
        Assert.Equal(new CheckpointFault.UnknownKey("BE-customs", _signer.KeyId), fault);
    }

    [Fact]
    public void Verify_KeyRevokedBeforeTheCheckpoint_IsKeyNotValidAtTime()
    {
        // Arrange
        var signed = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer);
        var from = At.AddDays(-30);
        var until = At.AddDays(-1);
        var keys = new FixedAnswerResolver(new KeyLookup.NotValidAt(from, until, "revoked: compromised"));

        // Act
        var fault = signed.Verify(keys);

        // Assert
        Assert.Equal(new CheckpointFault.KeyNotValidAtTime(_signer.KeyId, At, from, until, "revoked: compromised"), fault);
        Assert.Equal(("BE-customs", _signer.KeyId, At), keys.Asked);
    }

    [Fact]
    public void Constructor_SubMicrosecondTime_Throws()
    {
        // Act / Assert
        Assert.Throws<ArgumentException>(() => new Checkpoint("BE-customs", 8, Root8, At.AddTicks(1)));
    }

    [Fact]
    public void Constructor_EmptyLogWithAnotherRoot_Throws()
    {
        // Act / Assert
        Assert.Throws<ArgumentException>(() => new Checkpoint("BE-customs", 0, Root8, At));
        Assert.Equal(0, new Checkpoint("BE-customs", 0, MerkleHash.EmptyRoot, At).TreeSize);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BE customs")]
    [InlineData("-BE")]
    public void Constructor_InvalidOrigin_Throws(string origin)
    {
        // Act / Assert
        Assert.Throws<ArgumentException>(() => new Checkpoint(origin, 8, Root8, At));
    }

    [Fact]
    public void Decode_TruncatedAtEveryLength_IsTruncated()
    {
        // Arrange
        var bytes = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer).Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            // Act
            var decoded = SignedCheckpoint.Decode(bytes.AsSpan(0, length));

            // Assert
            Assert.Equal(FormatErrorKind.Truncated, decoded.Error?.Kind);
        }
    }

    [Fact]
    public void Decode_WrongDomainVersionOrTrailingByte_IsTypedError()
    {
        // Arrange
        var bytes = SignedCheckpoint.Sign(new Checkpoint("BE-customs", 8, Root8, At), _signer).Encode();
        var wrongDomain = (byte[])bytes.Clone();
        wrongDomain[0] = (byte)'X';
        var version2 = (byte[])bytes.Clone();
        version2[SignedCheckpoint.DomainTag.Length + 1] = 2;
        byte[] trailing = [.. bytes, 0];

        // Act / Assert
        Assert.Equal(FormatErrorKind.WrongDomain, SignedCheckpoint.Decode(wrongDomain).Error?.Kind);
        Assert.Equal(FormatErrorKind.UnknownVersion, SignedCheckpoint.Decode(version2).Error?.Kind);
        Assert.Equal(FormatErrorKind.TrailingBytes, SignedCheckpoint.Decode(trailing).Error?.Kind);
    }

    [Fact]
    public void Decode_UnknownAlgorithmOrEmptySignature_IsTypedError()
    {
        // Arrange
        var input = SignedCheckpoint.BuildSigningInput(new Checkpoint("BE-customs", 8, Root8, At), "k1", SignatureAlgorithm.EcdsaP256Sha256);
        var unknownAlgorithm = (byte[])input.Clone();
        unknownAlgorithm[^1] = 9;
        byte[] withAlgorithm9 = [.. unknownAlgorithm, 0, 0, 0, 1, 0xaa];
        byte[] emptySignature = [.. input, 0, 0, 0, 0];

        // Act
        var a = SignedCheckpoint.Decode(withAlgorithm9);
        var b = SignedCheckpoint.Decode(emptySignature);

        // Assert
        Assert.Equal(FormatErrorKind.InvalidValue, a.Error?.Kind);
        Assert.Equal(FormatErrorKind.LengthOutOfRange, b.Error?.Kind);
    }

    private StaticKeyResolver Keys(string origin) => new([(origin, _signer.PublicKey)]);

    private sealed class FixedAnswerResolver(KeyLookup answer) : IKeyResolver
    {
        public (string Origin, string KeyId, DateTimeOffset At)? Asked { get; private set; }

        public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at)
        {
            Asked = (origin, keyId, at);
            return answer;
        }
    }
}
