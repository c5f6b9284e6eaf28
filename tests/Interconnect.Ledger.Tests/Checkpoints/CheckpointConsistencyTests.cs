using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Tests.Checkpoints;

public sealed class CheckpointConsistencyTests : IDisposable
{
    private const string Origin = "BE-customs";

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void Check_LogGrowingWithProofs_IsConsistentAtEveryStep()
    {
        // Arrange
        var log = new MerkleLog();
        SignedCheckpoint? previous = null;
        var step = 0;
        foreach (var size in new long[] { 0, 1, 3, 8, 10, 37, 64, 65 })
        {
            while (log.Size < size)
            {
                log.AppendEntry(Hash256.Of(BitConverter.GetBytes(log.Size)));
            }

            var current = Sign(Origin, log, step++);
            if (previous is not null)
            {
                var proof = previous.Checkpoint.TreeSize == 0 ? null : log.ProveConsistency(previous.Checkpoint.TreeSize, size);

                // Act
                var result = CheckpointConsistency.Check(previous, current, proof);

                // Assert
                Assert.True(result.IsConsistent, $"{previous.Checkpoint.TreeSize} to {size}: {result}");
            }

            previous = current;
        }
    }

    [Fact]
    public void Check_SameSizeDifferentRoots_IsForkWithBothCheckpoints()
    {
        // Arrange: two histories that agree on 5 entries and then part.
        var (honest, forked) = TwoHistories(commonPrefix: 5, size: 8);
        var first = Sign(Origin, honest, 0);
        var second = Sign(Origin, forked, 1);

        // Act
        var result = CheckpointConsistency.Check(first, second, null);

        // Assert
        var fork = Assert.IsType<CheckpointConflict.Fork>(result.Conflict);
        Assert.Equal(8, fork.TreeSize);
        Assert.Same(first, fork.First);
        Assert.Same(second, fork.Second);
        Assert.Contains("Fork", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_GrowthFromAnotherHistory_ProofDoesNotVerify()
    {
        // Arrange: the partner saw size 6 of one history; the node now shows size 12 of another.
        var (seen, rewritten) = TwoHistories(commonPrefix: 4, size: 12);
        var older = Sign(Origin, seen, 0, size: 6);
        var newer = Sign(Origin, rewritten, 1);
        var proof = rewritten.ProveConsistency(6, 12);

        // Act
        var result = CheckpointConsistency.Check(older, newer, proof);

        // Assert
        var conflict = Assert.IsType<CheckpointConflict.ProofDoesNotVerify>(result.Conflict);
        Assert.IsType<ProofFault.OldRootMismatch>(conflict.Fault);
    }

    [Fact]
    public void Check_SameSizeSameRoot_IsConsistent()
    {
        // Arrange
        var log = Log(9);
        var a = Sign(Origin, log, 0);
        var b = Sign(Origin, log, 1);

        // Act
        var result = CheckpointConsistency.Check(a, b, null);

        // Assert
        Assert.Equal(CheckpointConsistencyResult.Consistent, result);
    }

    [Fact]
    public void Check_DifferentOrigins_IsDifferentOrigin()
    {
        // Arrange
        var log = Log(9);

        // Act
        var result = CheckpointConsistency.Check(Sign(Origin, log, 0), Sign("NL-customs", log, 1), null);

        // Assert
        Assert.Equal(new CheckpointConflict.DifferentOrigin(Origin, "NL-customs"), result.Conflict);
    }

    [Fact]
    public void Check_NewerIsSmaller_IsTreeShrank()
    {
        // Arrange
        var log = Log(9);

        // Act
        var result = CheckpointConsistency.Check(Sign(Origin, log, 0), Sign(Origin, log, 1, size: 4), log.ProveConsistency(4, 9));

        // Assert
        Assert.Equal(new CheckpointConflict.TreeShrank(9, 4), result.Conflict);
    }

    [Fact]
    public void Check_GrowthWithoutProof_IsProofMissing()
    {
        // Arrange
        var log = Log(9);

        // Act
        var result = CheckpointConsistency.Check(Sign(Origin, log, 0, size: 4), Sign(Origin, log, 1), null);

        // Assert
        Assert.Equal(new CheckpointConflict.ProofMissing(4, 9), result.Conflict);
    }

    [Fact]
    public void Check_ProofForOtherSizes_IsProofForOtherSizes()
    {
        // Arrange
        var log = Log(9);

        // Act
        var result = CheckpointConsistency.Check(Sign(Origin, log, 0, size: 4), Sign(Origin, log, 1), log.ProveConsistency(5, 9));

        // Assert
        Assert.Equal(new CheckpointConflict.ProofForOtherSizes(5, 9, 4, 9), result.Conflict);
    }

    [Fact]
    public void Check_FromEmptyLog_IsConsistentWithoutProof()
    {
        // Arrange
        var log = Log(9);

        // Act
        var result = CheckpointConsistency.Check(Sign(Origin, log, 0, size: 0), Sign(Origin, log, 1), null);

        // Assert
        Assert.True(result.IsConsistent);
    }

    private static MerkleLog Log(int size)
    {
        var log = new MerkleLog();
        for (var i = 0; i < size; i++)
        {
            log.AppendEntry(Hash256.Of(BitConverter.GetBytes(i)));
        }

        return log;
    }

    private static (MerkleLog A, MerkleLog B) TwoHistories(int commonPrefix, int size)
    {
        var a = new MerkleLog();
        var b = new MerkleLog();
        for (var i = 0; i < size; i++)
        {
            a.AppendEntry(Hash256.Of(BitConverter.GetBytes(i)));
            b.AppendEntry(i < commonPrefix ? Hash256.Of(BitConverter.GetBytes(i)) : Hash256.Of(BitConverter.GetBytes(-i)));
        }

        return (a, b);
    }

    private SignedCheckpoint Sign(string origin, MerkleLog log, int minutes, long? size = null)
    {
        var treeSize = size ?? log.Size;
        return SignedCheckpoint.Sign(new Checkpoint(origin, treeSize, log.RootAt(treeSize), Start.AddMinutes(minutes)), _signer);
    }
}
