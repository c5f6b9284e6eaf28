using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Tests.Merkle;

public sealed class InMemoryMerkleNodeStoreTests
{
    [Fact]
    public void WriteNode_SameBytesAgain_IsAcceptedAsReplay()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();
        var hash = Hash256.Of("a"u8).ToArray();
        store.WriteNode(0, 0, hash);

        // Act
        store.WriteNode(0, 0, hash);

        // Assert
        var read = new byte[32];
        store.ReadNode(0, 0, read);
        Assert.Equal(hash, read);
    }

    [Fact]
    public void WriteNode_DifferentBytesForExistingNode_Throws()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();
        store.WriteNode(0, 0, Hash256.Of("a"u8).ToArray());

        // Act / Assert
        Assert.Throws<InvalidOperationException>(() => store.WriteNode(0, 0, Hash256.Of("b"u8).ToArray()));
    }

    [Fact]
    public void WriteNode_SkippingAnIndex_Throws()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();

        // Act / Assert
        Assert.Throws<InvalidOperationException>(() => store.WriteNode(0, 1, new byte[32]));
    }

    [Fact]
    public void ReadNode_NotWritten_Throws()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();

        // Act / Assert
        Assert.Throws<InvalidOperationException>(() => store.ReadNode(3, 0, new byte[32]));
    }

    [Fact]
    public void CommitSize_Smaller_Throws()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();
        store.WriteNode(0, 0, new byte[32]);
        store.CommitSize(1);

        // Act / Assert
        Assert.Throws<InvalidOperationException>(() => store.CommitSize(0));
    }

    [Fact]
    public void CommitSize_MoreThanStoredLeaves_Throws()
    {
        // Arrange
        var store = new InMemoryMerkleNodeStore();

        // Act / Assert
        Assert.Throws<InvalidOperationException>(() => store.CommitSize(1));
    }

    [Fact]
    public void AppendEntry_ManyLeaves_HoldsAboutSixtyFourBytesPerLeafAndAllocatesNothingElse()
    {
        // Arrange: warm up so one-time costs (JIT, statics) stay out of the count.
        const int count = 1 << 17;
        new MerkleLog().AppendEntry(Hash256.Zero);
        var store = new InMemoryMerkleNodeStore();
        var log = new MerkleLog(store);
        var entryHash = Hash256.Of("entry"u8);
        var before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        for (var i = 0; i < count; i++)
        {
            log.AppendEntry(entryHash);
        }

        // Assert: the node slots are the only allocations (no per-append garbage).
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(count, log.Size);
        Assert.InRange(store.AllocatedBytes, 63L * count, 66L * count);
        Assert.InRange(allocated, store.AllocatedBytes, 80L * count);
    }
}
