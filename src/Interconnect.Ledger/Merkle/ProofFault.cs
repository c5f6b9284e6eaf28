using System.Diagnostics.CodeAnalysis;

namespace Interconnect.Ledger.Merkle;

/// <summary>Exactly why a Merkle proof does not prove what it was checked against. Never a bare bool.</summary>
public abstract record ProofFault
{
    private ProofFault()
    {
    }

    /// <summary>A sentence for logs, rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>The leaf index is not inside the tree (RFC 9162 §2.1.3.2 step 1).</summary>
    public sealed record IndexOutOfRange(long LeafIndex, long TreeSize) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"Leaf {LeafIndex} is not in a tree of {TreeSize} leaves.";
    }

    /// <summary>The path has a different number of hashes than the sizes call for.</summary>
    public sealed record WrongPathLength(int Expected, int Actual) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The proof carries {Actual} hashes; {Expected} expected.";
    }

    /// <summary>The root computed from an inclusion proof is not the expected root.</summary>
    public sealed record RootMismatch(Hash256 Expected, Hash256 Computed) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The proof leads to root {Computed}, not {Expected}.";
    }

    /// <summary>A consistency proof claims the tree shrank.</summary>
    [SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "\"New\" is the new tree of the proof, not a replacement-type suffix.")]
    public sealed record OldSizeLargerThanNew(long OldSize, long NewSize) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The old size {OldSize} is larger than the new size {NewSize}.";
    }

    /// <summary>
    /// A consistency proof from the empty tree. RFC 9162 defines consistency proofs only for a
    /// non-empty old tree: every tree extends the empty one, so there is nothing to prove.
    /// </summary>
    public sealed record EmptyOldTree(long NewSize) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"No consistency proof exists from the empty tree (to {NewSize}); compare against the empty root instead.";
    }

    /// <summary>Two trees of the same size with different roots: the log forked.</summary>
    public sealed record SameSizeDifferentRoots(long TreeSize, Hash256 OldRoot, Hash256 NewRoot) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"Two roots for size {TreeSize}: {OldRoot} and {NewRoot}.";
    }

    /// <summary>The old root computed from a consistency proof is not the old root given.</summary>
    public sealed record OldRootMismatch(Hash256 Expected, Hash256 Computed) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The proof leads to old root {Computed}, not {Expected}.";
    }

    /// <summary>The new root computed from a consistency proof is not the new root given.</summary>
    public sealed record NewRootMismatch(Hash256 Expected, Hash256 Computed) : ProofFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The proof leads to new root {Computed}, not {Expected}.";
    }
}

/// <summary>The outcome of checking a proof: valid, or the fault.</summary>
/// <param name="Fault">Why the proof failed, or null when it holds.</param>
public sealed record ProofVerification(ProofFault? Fault)
{
    /// <summary>The outcome of a proof that holds.</summary>
    public static ProofVerification Valid { get; } = new((ProofFault?)null);

    /// <summary>True when the proof holds.</summary>
    public bool IsValid => Fault is null;

    /// <inheritdoc />
    public override string ToString() => Fault?.Describe() ?? "valid";
}
