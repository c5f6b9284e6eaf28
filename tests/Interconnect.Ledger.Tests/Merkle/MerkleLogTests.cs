using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Tests.Merkle;

public sealed class MerkleLogTests
{
    private const int MaxSize = 70;

    private static readonly List<byte[]> Leaves = NaiveMerkleTree.SampleLeaves(MaxSize);

    private static readonly Lazy<MerkleLog> Log70 = new(() =>
    {
        var log = new MerkleLog();
        foreach (var leaf in Leaves)
        {
            log.AppendLeafData(leaf);
        }

        return log;
    });

    [Fact]
    public void EmptyRoot_IsSha256OfNothing()
    {
        // Arrange
        var log = new MerkleLog();

        // Act
        var root = log.Root();

        // Assert
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", root.ToString());
        Assert.Equal(Rfc6962Vectors.Load().EmptyRoot, MerkleHash.EmptyRoot.ToString());
    }

    [Fact]
    public void RootAt_Rfc6962ReferenceLeaves_MatchesPublishedRootsForEverySize()
    {
        // Arrange
        var vectors = Rfc6962Vectors.Load();
        var log = new MerkleLog();
        foreach (var leaf in vectors.LeafData())
        {
            log.AppendLeafData(leaf);
        }

        // Act
        var roots = Enumerable.Range(1, vectors.Roots.Length).Select(size => log.RootAt(size).ToString()).ToArray();

        // Assert
        Assert.Equal(vectors.Roots, roots);
        Assert.Equal(vectors.EmptyRoot, log.RootAt(0).ToString());
    }

    [Fact]
    public void ProveInclusion_Rfc6962ReferenceLeaves_MatchesPublishedPaths()
    {
        // Arrange
        var vectors = Rfc6962Vectors.Load();
        var log = Load(vectors.LeafData());

        foreach (var vector in vectors.Inclusion)
        {
            // Act
            var proof = log.ProveInclusion(vector.LeafIndex, vector.TreeSize);

            // Assert
            Assert.Equal(vector.Path, proof.Path.Select(h => h.ToString()));
            var root = Hash256.FromHex(vectors.Roots[vector.TreeSize - 1]);
            Assert.True(MerkleVerifier.VerifyInclusion(log.LeafHash(vector.LeafIndex), proof, root).IsValid);
        }
    }

    [Fact]
    public void ProveConsistency_Rfc6962ReferenceLeaves_MatchesPublishedPaths()
    {
        // Arrange
        var vectors = Rfc6962Vectors.Load();
        var log = Load(vectors.LeafData());

        foreach (var vector in vectors.Consistency)
        {
            // Act
            var proof = log.ProveConsistency(vector.OldSize, vector.NewSize);

            // Assert
            Assert.Equal(vector.Path, proof.Path.Select(h => h.ToString()));
            var oldRoot = Hash256.FromHex(vectors.Roots[vector.OldSize - 1]);
            var newRoot = Hash256.FromHex(vectors.Roots[vector.NewSize - 1]);
            Assert.True(MerkleVerifier.VerifyConsistency(proof, oldRoot, newRoot).IsValid);
        }
    }

    [Fact]
    public void RootAt_EverySizeUpTo70_MatchesNaiveRecursion()
    {
        // Arrange
        var log = Log70.Value;

        for (var size = 0; size <= MaxSize; size++)
        {
            // Act
            var root = log.RootAt(size);

            // Assert
            Assert.Equal(NaiveMerkleTree.Mth(Leaves[..size]), root.ToArray());
        }
    }

    [Fact]
    public void ProveInclusion_EveryIndexAndSizeUpTo70_MatchesNaivePath()
    {
        // Arrange
        var log = Log70.Value;

        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                // Act
                var proof = log.ProveInclusion(index, size);

                // Assert
                var expected = NaiveMerkleTree.Path(index, Leaves[..size]);
                Assert.Equal(expected.Count, InclusionProof.ExpectedPathLength(index, size));
                Assert.Equal(expected, proof.Path.Select(h => h.ToArray()));
            }
        }
    }

    [Fact]
    public void ProveConsistency_EveryPairOfSizesUpTo70_MatchesNaiveProof()
    {
        // Arrange
        var log = Log70.Value;

        for (var newSize = 1; newSize <= MaxSize; newSize++)
        {
            for (var oldSize = 1; oldSize <= newSize; oldSize++)
            {
                // Act
                var proof = log.ProveConsistency(oldSize, newSize);

                // Assert
                var expected = NaiveMerkleTree.Proof(oldSize, Leaves[..newSize]);
                Assert.Equal(expected.Count, ConsistencyProof.ExpectedPathLength(oldSize, newSize));
                Assert.Equal(expected, proof.Path.Select(h => h.ToArray()));
            }
        }
    }

    [Fact]
    public void AppendEntry_EntryHash_UsesTheHashBytesAsLeafData()
    {
        // Arrange
        var entryHash = Hash256.Of("entry"u8);
        var log = new MerkleLog();

        // Act
        var index = log.AppendEntry(entryHash);

        // Assert
        Assert.Equal(0, index);
        Assert.Equal(NaiveMerkleTree.Mth([entryHash.ToArray()]), log.Root().ToArray());
        Assert.Equal(MerkleHash.EntryLeaf(entryHash), log.LeafHash(0));
    }

    [Fact]
    public void Load_EntryHashes_EqualsAppendingOneByOne()
    {
        // Arrange
        var hashes = Enumerable.Range(0, 37).Select(i => Hash256.Of(BitConverter.GetBytes(i))).ToList();
        var appended = new MerkleLog();
        foreach (var h in hashes)
        {
            appended.AppendEntry(h);
        }

        // Act
        var loaded = MerkleLog.Load(hashes);

        // Assert
        Assert.Equal(37, loaded.Size);
        Assert.Equal(appended.Root(), loaded.Root());
        Assert.Equal(appended.ProveConsistency(5, 37), loaded.ProveConsistency(5, 37));
    }

    [Fact]
    public void Load_NonEmptyStore_Throws()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();
        new MerkleLog(store).AppendEntry(Hash256.Zero);

        // Act / Assert
        Assert.Throws<ArgumentException>(() => MerkleLog.Load([Hash256.Zero], store));
    }

    [Fact]
    public void Constructor_ExistingStore_ContinuesWhereItStopped()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();
        var first = new MerkleLog(store);
        for (var i = 0; i < 10; i++)
        {
            first.AppendLeafData(Leaves[i]);
        }

        // Act
        var reopened = new MerkleLog(store);
        for (var i = 10; i < 20; i++)
        {
            reopened.AppendLeafData(Leaves[i]);
        }

        // Assert
        Assert.Equal(NaiveMerkleTree.Mth(Leaves[..20]), reopened.Root().ToArray());
    }

    [Fact]
    public void AppendLeafHash_PrecomputedLeafHash_GivesSameTreeAsLeafData()
    {
        // Arrange
        var byData = new MerkleLog();
        var byHash = new MerkleLog();

        // Act
        for (var i = 0; i < 9; i++)
        {
            byData.AppendLeafData(Leaves[i]);
            byHash.AppendLeafHash(MerkleHash.Leaf(Leaves[i]));
        }

        // Assert
        Assert.Equal(byData.Root(), byHash.Root());
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(5, 5)]
    [InlineData(0, 0)]
    [InlineData(0, 71)]
    public void ProveInclusion_OutsideTheLog_Throws(long index, long size)
    {
        // Arrange
        var log = Log70.Value;

        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ProveInclusion(index, size));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(6, 5)]
    [InlineData(3, 71)]
    [InlineData(-1, 5)]
    public void ProveConsistency_InvalidSizes_Throws(long oldSize, long newSize)
    {
        // Arrange
        var log = Log70.Value;

        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ProveConsistency(oldSize, newSize));
    }

    [Fact]
    public void RootAt_BeyondSize_Throws()
    {
        // Arrange
        var log = Log70.Value;

        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => log.RootAt(MaxSize + 1));
    }

    private static MerkleLog Load(IEnumerable<byte[]> leafData)
    {
        var log = new MerkleLog();
        foreach (var leaf in leafData)
        {
            log.AppendLeafData(leaf);
        }

        return log;
    }
}
