using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Tests.Merkle;

public sealed class ProofEncodingTests
{
    private const string InclusionDomainHex = "696e746572636f6e6e6563742f696e636c7573696f6e2d70726f6f6600";
    private const string ConsistencyDomainHex = "696e746572636f6e6e6563742f636f6e73697374656e63792d70726f6f6600";

    private static readonly Rfc6962Vectors Vectors = Rfc6962Vectors.Load();

    private static readonly Lazy<MerkleLog> Log = new(() =>
    {
        var log = new MerkleLog();
        foreach (var leaf in NaiveMerkleTree.SampleLeaves(70))
        {
            log.AppendLeafData(leaf);
        }

        return log;
    });

    [Fact]
    public void Encode_InclusionProofOfLeaf5In8_IsTheSpecifiedBytes()
    {
        // Arrange
        var vector = Vectors.Inclusion.Single(v => v.LeafIndex == 5 && v.TreeSize == 8);
        var proof = new InclusionProof(5, 8, [.. vector.Path.Select(Hash256.FromHex)]);

        // Act
        var bytes = proof.Encode();

        // Assert
        var expected = InclusionDomainHex + "01" + "0000000000000005" + "0000000000000008" + "03" + string.Concat(vector.Path);
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Encode_ConsistencyProofFrom6To8_IsTheSpecifiedBytes()
    {
        // Arrange
        var vector = Vectors.Consistency.Single(v => v.OldSize == 6 && v.NewSize == 8);
        var proof = new ConsistencyProof(6, 8, [.. vector.Path.Select(Hash256.FromHex)]);

        // Act
        var bytes = proof.Encode();

        // Assert
        var expected = ConsistencyDomainHex + "01" + "0000000000000006" + "0000000000000008" + "03" + string.Concat(vector.Path);
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Decode_EveryInclusionProofUpTo40_RoundTrips()
    {
        for (var size = 1; size <= 40; size++)
        {
            for (var index = 0; index < size; index++)
            {
                // Arrange
                var proof = Log.Value.ProveInclusion(index, size);

                // Act
                var decoded = InclusionProof.Decode(proof.Encode());

                // Assert
                Assert.True(decoded.Ok, decoded.Error?.Message);
                Assert.Equal(proof, decoded.Value);
            }
        }
    }

    [Fact]
    public void Decode_EveryConsistencyProofUpTo40_RoundTrips()
    {
        for (var newSize = 1; newSize <= 40; newSize++)
        {
            for (var oldSize = 1; oldSize <= newSize; oldSize++)
            {
                // Arrange
                var proof = Log.Value.ProveConsistency(oldSize, newSize);

                // Act
                var decoded = ConsistencyProof.Decode(proof.Encode());

                // Assert
                Assert.True(decoded.Ok, decoded.Error?.Message);
                Assert.Equal(proof, decoded.Value);
            }
        }
    }

    [Fact]
    public void Decode_InclusionTruncatedAtEveryLength_IsTruncated()
    {
        // Arrange
        var bytes = Log.Value.ProveInclusion(22, 61).Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            // Act
            var decoded = InclusionProof.Decode(bytes.AsSpan(0, length));

            // Assert
            Assert.Equal(FormatErrorKind.Truncated, decoded.Error?.Kind);
        }
    }

    [Fact]
    public void Decode_ConsistencyTruncatedAtEveryLength_IsTruncated()
    {
        // Arrange
        var bytes = Log.Value.ProveConsistency(22, 61).Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            // Act
            var decoded = ConsistencyProof.Decode(bytes.AsSpan(0, length));

            // Assert
            Assert.Equal(FormatErrorKind.Truncated, decoded.Error?.Kind);
        }
    }

    [Fact]
    public void Decode_ProofOfTheOtherKind_IsWrongDomain()
    {
        // Arrange
        var inclusion = Log.Value.ProveInclusion(3, 9).Encode();
        var consistency = Log.Value.ProveConsistency(3, 9).Encode();

        // Act
        var asConsistency = ConsistencyProof.Decode(inclusion);
        var asInclusion = InclusionProof.Decode(consistency);

        // Assert
        Assert.Equal(FormatErrorKind.WrongDomain, asConsistency.Error?.Kind);
        Assert.Equal(FormatErrorKind.WrongDomain, asInclusion.Error?.Kind);
    }

    [Fact]
    public void Decode_Version2_IsUnknownVersion()
    {
        // Arrange
        var inclusion = Log.Value.ProveInclusion(3, 9).Encode();
        var consistency = Log.Value.ProveConsistency(3, 9).Encode();
        inclusion[InclusionProof.DomainTag.Length + 1] = 2;
        consistency[ConsistencyProof.DomainTag.Length + 1] = 2;

        // Act / Assert
        Assert.Equal(FormatErrorKind.UnknownVersion, InclusionProof.Decode(inclusion).Error?.Kind);
        Assert.Equal(FormatErrorKind.UnknownVersion, ConsistencyProof.Decode(consistency).Error?.Kind);
    }

    [Fact]
    public void Decode_TrailingByte_IsTrailingBytes()
    {
        // Arrange
        byte[] inclusion = [.. Log.Value.ProveInclusion(3, 9).Encode(), 0];
        byte[] consistency = [.. Log.Value.ProveConsistency(3, 9).Encode(), 0];

        // Act / Assert
        Assert.Equal(FormatErrorKind.TrailingBytes, InclusionProof.Decode(inclusion).Error?.Kind);
        Assert.Equal(FormatErrorKind.TrailingBytes, ConsistencyProof.Decode(consistency).Error?.Kind);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(255)]
    public void Decode_HashCountInconsistentWithSizes_IsLengthOutOfRange(int change)
    {
        // Arrange: leaf 3 of 9 takes 4 hashes, 3 to 9 takes 5.
        var inclusion = Log.Value.ProveInclusion(3, 9).Encode();
        var consistency = Log.Value.ProveConsistency(3, 9).Encode();
        var inclusionCount = InclusionProof.DomainTag.Length + 1 + 1 + 16;
        var consistencyCount = ConsistencyProof.DomainTag.Length + 1 + 1 + 16;
        Assert.Equal(4, inclusion[inclusionCount]);
        Assert.Equal(5, consistency[consistencyCount]);
        inclusion[inclusionCount] = change == 255 ? (byte)255 : (byte)(4 + change);
        consistency[consistencyCount] = change == 255 ? (byte)255 : (byte)(5 + change);

        // Act
        var decodedInclusion = InclusionProof.Decode(inclusion);
        var decodedConsistency = ConsistencyProof.Decode(consistency);

        // Assert
        Assert.Equal(FormatErrorKind.LengthOutOfRange, decodedInclusion.Error?.Kind);
        Assert.Equal(FormatErrorKind.LengthOutOfRange, decodedConsistency.Error?.Kind);
    }

    [Theory]
    [InlineData("0000000000000009", "0000000000000009")]
    [InlineData("000000000000000a", "0000000000000009")]
    [InlineData("8000000000000000", "8000000000000001")]
    [InlineData("0000000000000000", "0000000000000000")]
    public void Decode_InclusionLeafOutsideTree_IsInvalidValue(string leafIndex, string treeSize)
    {
        // Arrange
        var bytes = Convert.FromHexString(InclusionDomainHex + "01" + leafIndex + treeSize + "00");

        // Act
        var decoded = InclusionProof.Decode(bytes);

        // Assert
        Assert.Equal(FormatErrorKind.InvalidValue, decoded.Error?.Kind);
    }

    [Theory]
    [InlineData("0000000000000000", "0000000000000009")]
    [InlineData("000000000000000a", "0000000000000009")]
    [InlineData("0000000000000001", "ffffffffffffffff")]
    public void Decode_ConsistencyImpossibleSizes_IsInvalidValue(string oldSize, string newSize)
    {
        // Arrange
        var bytes = Convert.FromHexString(ConsistencyDomainHex + "01" + oldSize + newSize + "00");

        // Act
        var decoded = ConsistencyProof.Decode(bytes);

        // Assert
        Assert.Equal(FormatErrorKind.InvalidValue, decoded.Error?.Kind);
    }

    [Fact]
    public void Decode_EqualSizesWithNoHashes_IsAccepted()
    {
        // Arrange
        var bytes = Convert.FromHexString(ConsistencyDomainHex + "01" + "0000000000000007" + "0000000000000007" + "00");

        // Act
        var decoded = ConsistencyProof.Decode(bytes);

        // Assert
        Assert.Equal(new ConsistencyProof(7, 7, []), decoded.Value);
    }

    [Fact]
    public void Decode_EveryByteOfAProofChanged_NeverThrows()
    {
        // Arrange
        var inclusion = Log.Value.ProveInclusion(40, 70).Encode();
        var consistency = Log.Value.ProveConsistency(40, 70).Encode();

        foreach (var original in new[] { inclusion, consistency })
        {
            for (var i = 0; i < original.Length; i++)
            {
                foreach (var value in new byte[] { 0x00, 0x01, 0x80, 0xff })
                {
                    var bytes = (byte[])original.Clone();
                    bytes[i] ^= value;

                    // Act
                    var a = InclusionProof.Decode(bytes);
                    var b = ConsistencyProof.Decode(bytes);

                    // Assert: each decode is either a value or a typed error, never both.
                    Assert.True((a.Value is null) != (a.Error is null));
                    Assert.True((b.Value is null) != (b.Error is null));
                }
            }
        }
    }
}
