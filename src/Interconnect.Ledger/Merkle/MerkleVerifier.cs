namespace Interconnect.Ledger.Merkle;

/// <summary>
/// Pure verification of RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs. Needs no log,
/// only the proof, the hashes being related and the roots the verifier already trusts.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>
    /// Checks that the leaf with hash <paramref name="leafHash"/> (SHA-256(0x00 || leaf data); see
    /// <see cref="MerkleHash.EntryLeaf"/>) sits at the proof's index in the tree whose root is
    /// <paramref name="expectedRoot"/>.
    /// </summary>
    public static ProofVerification VerifyInclusion(Hash256 leafHash, InclusionProof proof, Hash256 expectedRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.LeafIndex >= proof.TreeSize)
        {
            return Fail(new ProofFault.IndexOutOfRange(proof.LeafIndex, proof.TreeSize));
        }

        var expectedLength = ProofEncoding.InclusionPathLength(proof.LeafIndex, proof.TreeSize);
        if (proof.Path.Length != expectedLength)
        {
            return Fail(new ProofFault.WrongPathLength(expectedLength, proof.Path.Length));
        }

        // fn is the node's index at the current level, sn the index of the tree's last node there.
        var fn = proof.LeafIndex;
        var sn = proof.TreeSize - 1;
        Span<byte> r = stackalloc byte[Hash256.Size];
        leafHash.Span.CopyTo(r);
        foreach (var p in proof.Path)
        {
            if (sn == 0)
            {
                return Fail(new ProofFault.WrongPathLength(expectedLength, proof.Path.Length));
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p.Span, r, r);

                // A right-edge node with no sibling at some levels is carried up unchanged.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(r, p.Span, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return Fail(new ProofFault.WrongPathLength(expectedLength, proof.Path.Length));
        }

        return r.SequenceEqual(expectedRoot.Span)
            ? ProofVerification.Valid
            : Fail(new ProofFault.RootMismatch(expectedRoot, Hash256.FromBytes(r)));
    }

    /// <summary>
    /// Checks that the tree with root <paramref name="oldRoot"/> (of the proof's old size) is a prefix of
    /// the tree with root <paramref name="newRoot"/> (of its new size). Equal sizes need an empty path
    /// and equal roots; an empty old tree has no proof (<see cref="ProofFault.EmptyOldTree"/>).
    /// </summary>
    public static ProofVerification VerifyConsistency(ConsistencyProof proof, Hash256 oldRoot, Hash256 newRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var (oldSize, newSize, path) = (proof.OldSize, proof.NewSize, proof.Path);
        if (oldSize > newSize)
        {
            return Fail(new ProofFault.OldSizeLargerThanNew(oldSize, newSize));
        }

        if (oldSize == 0)
        {
            return Fail(new ProofFault.EmptyOldTree(newSize));
        }

        var expectedLength = ProofEncoding.ConsistencyPathLength(oldSize, newSize);
        if (path.Length != expectedLength)
        {
            return Fail(new ProofFault.WrongPathLength(expectedLength, path.Length));
        }

        if (oldSize == newSize)
        {
            return oldRoot == newRoot
                ? ProofVerification.Valid
                : Fail(new ProofFault.SameSizeDifferentRoots(oldSize, oldRoot, newRoot));
        }

        // Step 2: when the old tree is a perfect subtree of the new one, its root is the first hash.
        var seeded = (oldSize & (oldSize - 1)) == 0;
        var first = seeded ? oldRoot.Span : path[0].Span;
        var rest = seeded ? 0 : 1;

        var fn = oldSize - 1;
        var sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[Hash256.Size];
        Span<byte> sr = stackalloc byte[Hash256.Size];
        first.CopyTo(fr);
        first.CopyTo(sr);
        for (var i = rest; i < path.Length; i++)
        {
            if (sn == 0)
            {
                return Fail(new ProofFault.WrongPathLength(expectedLength, path.Length));
            }

            var c = path[i].Span;
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return Fail(new ProofFault.WrongPathLength(expectedLength, path.Length));
        }

        if (!fr.SequenceEqual(oldRoot.Span))
        {
            return Fail(new ProofFault.OldRootMismatch(oldRoot, Hash256.FromBytes(fr)));
        }

        return sr.SequenceEqual(newRoot.Span)
            ? ProofVerification.Valid
            : Fail(new ProofFault.NewRootMismatch(newRoot, Hash256.FromBytes(sr)));
    }

    private static ProofVerification Fail(ProofFault fault) => new(fault);
}
