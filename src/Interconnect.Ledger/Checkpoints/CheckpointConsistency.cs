using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Checkpoints;

/// <summary>
/// Pure check that a newer checkpoint of a log extends an older one: the partner keeps the last
/// checkpoint it accepted from each node and checks every later one with a consistency proof, so a
/// node that rewrites or forks its history is caught. Signatures are not checked here: verify each
/// checkpoint with <see cref="SignedCheckpoint.Verify"/> first.
/// </summary>
public static class CheckpointConsistency
{
    /// <summary>
    /// Checks <paramref name="newer"/> against <paramref name="older"/>. A proof is needed only when the
    /// log grew from a non-empty tree; equal sizes need equal roots, and any log extends the empty one.
    /// </summary>
    public static CheckpointConsistencyResult Check(SignedCheckpoint older, SignedCheckpoint newer, ConsistencyProof? proof)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var (a, b) = (older.Checkpoint, newer.Checkpoint);
        if (!string.Equals(a.Origin, b.Origin, StringComparison.Ordinal))
        {
            return Conflict(new CheckpointConflict.DifferentOrigin(a.Origin, b.Origin));
        }

        if (b.TreeSize < a.TreeSize)
        {
            return Conflict(new CheckpointConflict.TreeShrank(a.TreeSize, b.TreeSize));
        }

        if (proof is not null && (proof.OldSize != a.TreeSize || proof.NewSize != b.TreeSize))
        {
            return Conflict(new CheckpointConflict.ProofForOtherSizes(proof.OldSize, proof.NewSize, a.TreeSize, b.TreeSize));
        }

        if (b.TreeSize == a.TreeSize)
        {
            // Two signed roots for one size is proof, on its own, that the origin forked its log.
            return a.RootHash == b.RootHash
                ? CheckpointConsistencyResult.Consistent
                : Conflict(new CheckpointConflict.Fork(a.TreeSize, older, newer));
        }

        if (a.TreeSize == 0)
        {
            return CheckpointConsistencyResult.Consistent;
        }

        if (proof is null)
        {
            return Conflict(new CheckpointConflict.ProofMissing(a.TreeSize, b.TreeSize));
        }

        var verification = MerkleVerifier.VerifyConsistency(proof, a.RootHash, b.RootHash);
        return verification.Fault is { } fault
            ? Conflict(new CheckpointConflict.ProofDoesNotVerify(fault))
            : CheckpointConsistencyResult.Consistent;
    }

    private static CheckpointConsistencyResult Conflict(CheckpointConflict conflict) => new(conflict);
}

/// <summary>Exactly why a newer checkpoint does not extend an older one.</summary>
public abstract record CheckpointConflict
{
    private CheckpointConflict()
    {
    }

    /// <summary>A sentence for logs, rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>The checkpoints are of different administrations' logs.</summary>
    public sealed record DifferentOrigin(string OldOrigin, string NewOrigin) : CheckpointConflict
    {
        /// <inheritdoc />
        public override string Describe() => $"The checkpoints are of different logs: {OldOrigin} and {NewOrigin}.";
    }

    /// <summary>The newer checkpoint has fewer leaves: the log was rolled back, or the checkpoints were given in the wrong order.</summary>
    public sealed record TreeShrank(long OldSize, long NewSize) : CheckpointConflict
    {
        /// <inheritdoc />
        public override string Describe() => $"The log shrank from {OldSize} to {NewSize} leaves.";
    }

    /// <summary>Two signed checkpoints of the same size with different roots: evidence that the origin forked its log.</summary>
    public sealed record Fork(long TreeSize, SignedCheckpoint First, SignedCheckpoint Second) : CheckpointConflict
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Fork: {First.Checkpoint.Origin} signed two roots for size {TreeSize}: {First.Checkpoint.RootHash} and {Second.Checkpoint.RootHash}.";
    }

    /// <summary>The log grew from a non-empty tree and no consistency proof was given.</summary>
    public sealed record ProofMissing(long OldSize, long NewSize) : CheckpointConflict
    {
        /// <inheritdoc />
        public override string Describe() => $"A consistency proof from {OldSize} to {NewSize} is needed.";
    }

    /// <summary>The proof is for other sizes than the checkpoints'.</summary>
    public sealed record ProofForOtherSizes(long ProofOldSize, long ProofNewSize, long OldSize, long NewSize) : CheckpointConflict
    {
        /// <inheritdoc />
        public override string Describe() => $"The proof runs from {ProofOldSize} to {ProofNewSize}; the checkpoints are of sizes {OldSize} and {NewSize}.";
    }

    /// <summary>The consistency proof does not link the two roots.</summary>
    public sealed record ProofDoesNotVerify(ProofFault Fault) : CheckpointConflict
    {
        /// <inheritdoc />
        public override string Describe() => $"The consistency proof does not verify: {Fault.Describe()}";
    }
}

/// <summary>The outcome of comparing two checkpoints: consistent, or the conflict.</summary>
/// <param name="Conflict">What is wrong, or null when the newer checkpoint extends the older one.</param>
public sealed record CheckpointConsistencyResult(CheckpointConflict? Conflict)
{
    /// <summary>The outcome when the newer checkpoint extends the older one.</summary>
    public static CheckpointConsistencyResult Consistent { get; } = new((CheckpointConflict?)null);

    /// <summary>True when the newer checkpoint extends the older one.</summary>
    public bool IsConsistent => Conflict is null;

    /// <inheritdoc />
    public override string ToString() => Conflict?.Describe() ?? "consistent";
}
