using System.Collections.Immutable;

using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Tests.Merkle;

public sealed class MerkleVerifierTests
{
    private const int MaxSize = 70;

    // Every bit of every path hash is flipped for trees up to this size; above it, one bit per hash.
    private const int ExhaustiveFlipSize = 16;

    private static readonly List<byte[]> Leaves = NaiveMerkleTree.SampleLeaves(MaxSize);

    private static readonly Lazy<MerkleLog> Log = new(() =>
    {
        var log = new MerkleLog();
        foreach (var leaf in Leaves)
        {
            log.AppendLeafData(leaf);
        }

        return log;
    });

    // Roots come from the naive implementation so a shared bug in log and verifier cannot hide.
    private static readonly Hash256[] Roots = [.. Enumerable.Range(0, MaxSize + 1).Select(n => Hash256.FromBytes(NaiveMerkleTree.Mth(Leaves[..n])))];

    [Fact]
    public void VerifyInclusion_EveryIndexAndSizeUpTo70_IsValid()
    {
        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                // Arrange
                var proof = Log.Value.ProveInclusion(index, size);

                // Act
                var result = MerkleVerifier.VerifyInclusion(MerkleHash.Leaf(Leaves[index]), proof, Roots[size]);

                // Assert
                Assert.True(result.IsValid, $"leaf {index} of {size}: {result}");
            }
        }
    }

    [Fact]
    public void VerifyInclusion_AnyPathBitFlipped_IsRootMismatch()
    {
        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                // Arrange
                var proof = Log.Value.ProveInclusion(index, size);
                var leafHash = MerkleHash.Leaf(Leaves[index]);
                foreach (var (position, bit) in BitsToFlip(proof.Path.Length, size, index))
                {
                    var tampered = new InclusionProof(index, size, Flip(proof.Path, position, bit));

                    // Act
                    var result = MerkleVerifier.VerifyInclusion(leafHash, tampered, Roots[size]);

                    // Assert
                    var mismatch = Assert.IsType<ProofFault.RootMismatch>(result.Fault);
                    Assert.Equal(Roots[size], mismatch.Expected);
                    Assert.NotEqual(Roots[size], mismatch.Computed);
                }
            }
        }
    }

    [Fact]
    public void VerifyInclusion_LeafHashOrRootChanged_IsRootMismatch()
    {
        // Arrange
        var proof = Log.Value.ProveInclusion(17, 53);
        var leafHash = MerkleHash.Leaf(Leaves[17]);

        // Act
        var wrongLeaf = MerkleVerifier.VerifyInclusion(MerkleHash.Leaf(Leaves[18]), proof, Roots[53]);
        var rawData = MerkleVerifier.VerifyInclusion(Hash256.FromBytes(System.Security.Cryptography.SHA256.HashData(Leaves[17])), proof, Roots[53]);
        var wrongRoot = MerkleVerifier.VerifyInclusion(leafHash, proof, Roots[52]);

        // Assert
        Assert.IsType<ProofFault.RootMismatch>(wrongLeaf.Fault);
        Assert.IsType<ProofFault.RootMismatch>(rawData.Fault);
        var mismatch = Assert.IsType<ProofFault.RootMismatch>(wrongRoot.Fault);
        Assert.Equal(Roots[52], mismatch.Expected);
        Assert.Equal(Roots[53], mismatch.Computed);
    }

    [Fact]
    public void VerifyInclusion_IndexOrSizeChanged_IsDetected()
    {
        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                // Arrange
                var proof = Log.Value.ProveInclusion(index, size);
                var leafHash = MerkleHash.Leaf(Leaves[index]);
                var relabelled = new List<(long Index, long Size)> { (index + 1, size), (index, size + 1), (index, size - 1), (size, size) };
                if (index > 0)
                {
                    relabelled.Add((index - 1, size));
                }

                foreach (var (otherIndex, otherSize) in relabelled.Where(p => p.Size is >= 1 and <= MaxSize))
                {
                    // Act
                    var result = MerkleVerifier.VerifyInclusion(leafHash, new InclusionProof(otherIndex, otherSize, proof.Path), Roots[otherSize]);

                    // Assert
                    if (otherIndex >= otherSize)
                    {
                        var fault = Assert.IsType<ProofFault.IndexOutOfRange>(result.Fault);
                        Assert.Equal((otherIndex, otherSize), (fault.LeafIndex, fault.TreeSize));
                    }
                    else if (InclusionProof.ExpectedPathLength(otherIndex, otherSize) != proof.Path.Length)
                    {
                        var fault = Assert.IsType<ProofFault.WrongPathLength>(result.Fault);
                        Assert.Equal(proof.Path.Length, fault.Actual);
                    }
                    else
                    {
                        Assert.IsType<ProofFault.RootMismatch>(result.Fault);
                    }
                }
            }
        }
    }

    [Fact]
    public void VerifyInclusion_HashAddedOrRemoved_IsWrongPathLength()
    {
        // Arrange
        var proof = Log.Value.ProveInclusion(6, 11);
        var longer = new InclusionProof(6, 11, proof.Path.Add(Roots[3]));
        var shorter = new InclusionProof(6, 11, proof.Path.RemoveAt(0));
        var leafHash = MerkleHash.Leaf(Leaves[6]);

        // Act
        var longerResult = MerkleVerifier.VerifyInclusion(leafHash, longer, Roots[11]);
        var shorterResult = MerkleVerifier.VerifyInclusion(leafHash, shorter, Roots[11]);

        // Assert
        Assert.Equal(new ProofFault.WrongPathLength(proof.Path.Length, proof.Path.Length + 1), longerResult.Fault);
        Assert.Equal(new ProofFault.WrongPathLength(proof.Path.Length, proof.Path.Length - 1), shorterResult.Fault);
    }

    [Fact]
    public void VerifyInclusion_EmptyTree_IsIndexOutOfRange()
    {
        // Arrange
        var proof = new InclusionProof(0, 0, []);

        // Act
        var result = MerkleVerifier.VerifyInclusion(MerkleHash.Leaf([]), proof, MerkleHash.EmptyRoot);

        // Assert
        Assert.Equal(new ProofFault.IndexOutOfRange(0, 0), result.Fault);
    }

    [Fact]
    public void VerifyConsistency_EveryPairOfSizesUpTo70_IsValid()
    {
        for (var newSize = 1; newSize <= MaxSize; newSize++)
        {
            for (var oldSize = 1; oldSize <= newSize; oldSize++)
            {
                // Arrange
                var proof = Log.Value.ProveConsistency(oldSize, newSize);

                // Act
                var result = MerkleVerifier.VerifyConsistency(proof, Roots[oldSize], Roots[newSize]);

                // Assert
                Assert.True(result.IsValid, $"{oldSize} to {newSize}: {result}");
            }
        }
    }

    [Fact]
    public void VerifyConsistency_AnyPathBitFlipped_IsRootMismatch()
    {
        for (var newSize = 2; newSize <= MaxSize; newSize++)
        {
            for (var oldSize = 1; oldSize < newSize; oldSize++)
            {
                // Arrange
                var proof = Log.Value.ProveConsistency(oldSize, newSize);
                foreach (var (position, bit) in BitsToFlip(proof.Path.Length, newSize, oldSize))
                {
                    var tampered = new ConsistencyProof(oldSize, newSize, Flip(proof.Path, position, bit));

                    // Act
                    var result = MerkleVerifier.VerifyConsistency(tampered, Roots[oldSize], Roots[newSize]);

                    // Assert
                    Assert.True(
                        result.Fault is ProofFault.OldRootMismatch or ProofFault.NewRootMismatch,
                        $"{oldSize} to {newSize}, hash {position} bit {bit}: {result}");
                }
            }
        }
    }

    [Fact]
    public void VerifyConsistency_SizesChanged_IsDetected()
    {
        for (var newSize = 2; newSize <= MaxSize; newSize++)
        {
            for (var oldSize = 1; oldSize < newSize; oldSize++)
            {
                // Arrange
                var proof = Log.Value.ProveConsistency(oldSize, newSize);
                (long Old, long New)[] relabelled = [(oldSize + 1, newSize), (oldSize - 1, newSize), (oldSize, newSize + 1), (oldSize, newSize - 1)];
                foreach (var (otherOld, otherNew) in relabelled.Where(p => p.New <= MaxSize && p.Old >= 0))
                {
                    // Act
                    var result = MerkleVerifier.VerifyConsistency(new ConsistencyProof(otherOld, otherNew, proof.Path), Roots[otherOld], Roots[otherNew]);

                    // Assert
                    Assert.False(result.IsValid, $"{oldSize} to {newSize} relabelled {otherOld} to {otherNew}");
                    if (otherOld > otherNew)
                    {
                        Assert.IsType<ProofFault.OldSizeLargerThanNew>(result.Fault);
                    }
                    else if (otherOld == 0)
                    {
                        Assert.IsType<ProofFault.EmptyOldTree>(result.Fault);
                    }
                    else if (ConsistencyProof.ExpectedPathLength(otherOld, otherNew) != proof.Path.Length)
                    {
                        Assert.IsType<ProofFault.WrongPathLength>(result.Fault);
                    }
                    else
                    {
                        Assert.True(result.Fault is ProofFault.OldRootMismatch or ProofFault.NewRootMismatch, result.ToString());
                    }
                }
            }
        }
    }

    [Fact]
    public void VerifyConsistency_RootsSwappedOrFromAnotherTree_IsRootMismatch()
    {
        // Arrange
        var proof = Log.Value.ProveConsistency(13, 40);
        var other = Hash256.FromBytes(NaiveMerkleTree.Mth([.. Leaves[..12], [0xff]]));

        // Act
        var oldChanged = MerkleVerifier.VerifyConsistency(proof, other, Roots[40]);
        var newChanged = MerkleVerifier.VerifyConsistency(proof, Roots[13], Roots[41]);

        // Assert
        Assert.Equal(new ProofFault.OldRootMismatch(other, Roots[13]), oldChanged.Fault);
        Assert.Equal(new ProofFault.NewRootMismatch(Roots[41], Roots[40]), newChanged.Fault);
    }

    [Fact]
    public void VerifyConsistency_PowerOfTwoOldTreeWithWrongOldRoot_IsDetected()
    {
        // Arrange: a perfect old tree's root is not in the path; the verifier seeds with the root it is given.
        var proof = Log.Value.ProveConsistency(16, 33);

        // Act
        var result = MerkleVerifier.VerifyConsistency(proof, Roots[15], Roots[33]);

        // Assert
        Assert.IsType<ProofFault.NewRootMismatch>(result.Fault);
    }

    [Fact]
    public void VerifyConsistency_OldLargerThanNew_IsOldSizeLargerThanNew()
    {
        // Arrange
        var proof = new ConsistencyProof(9, 8, []);

        // Act
        var result = MerkleVerifier.VerifyConsistency(proof, Roots[9], Roots[8]);

        // Assert
        Assert.Equal(new ProofFault.OldSizeLargerThanNew(9, 8), result.Fault);
    }

    [Fact]
    public void VerifyConsistency_EmptyOldTree_IsEmptyOldTree()
    {
        // Arrange
        var proof = new ConsistencyProof(0, 8, []);

        // Act
        var result = MerkleVerifier.VerifyConsistency(proof, MerkleHash.EmptyRoot, Roots[8]);

        // Assert
        Assert.Equal(new ProofFault.EmptyOldTree(8), result.Fault);
    }

    [Fact]
    public void VerifyConsistency_SameSizeDifferentRoots_IsSameSizeDifferentRoots()
    {
        // Arrange
        var proof = new ConsistencyProof(8, 8, []);

        // Act
        var result = MerkleVerifier.VerifyConsistency(proof, Roots[8], Roots[7]);

        // Assert
        Assert.Equal(new ProofFault.SameSizeDifferentRoots(8, Roots[8], Roots[7]), result.Fault);
    }

    [Fact]
    public void VerifyConsistency_SameSizeWithHashes_IsWrongPathLength()
    {
        // Arrange
        var proof = new ConsistencyProof(8, 8, [Roots[8]]);

        // Act
        var result = MerkleVerifier.VerifyConsistency(proof, Roots[8], Roots[8]);

        // Assert
        Assert.Equal(new ProofFault.WrongPathLength(0, 1), result.Fault);
    }

    [Fact]
    public void VerifyConsistency_HashAddedOrRemoved_IsWrongPathLength()
    {
        // Arrange
        var proof = Log.Value.ProveConsistency(6, 29);

        // Act
        var longer = MerkleVerifier.VerifyConsistency(new ConsistencyProof(6, 29, proof.Path.Add(Roots[1])), Roots[6], Roots[29]);
        var shorter = MerkleVerifier.VerifyConsistency(new ConsistencyProof(6, 29, proof.Path.RemoveAt(proof.Path.Length - 1)), Roots[6], Roots[29]);

        // Assert
        Assert.Equal(new ProofFault.WrongPathLength(proof.Path.Length, proof.Path.Length + 1), longer.Fault);
        Assert.Equal(new ProofFault.WrongPathLength(proof.Path.Length, proof.Path.Length - 1), shorter.Fault);
    }

    private static IEnumerable<(int Position, int Bit)> BitsToFlip(int pathLength, int size, int seed)
    {
        for (var position = 0; position < pathLength; position++)
        {
            if (size <= ExhaustiveFlipSize)
            {
                for (var bit = 0; bit < Hash256.Size * 8; bit++)
                {
                    yield return (position, bit);
                }
            }
            else
            {
                yield return (position, ((size * 37) + (seed * 11) + position) % (Hash256.Size * 8));
            }
        }
    }

    private static ImmutableArray<Hash256> Flip(ImmutableArray<Hash256> path, int position, int bit)
    {
        var bytes = path[position].ToArray();
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return path.SetItem(position, Hash256.FromBytes(bytes));
    }
}
