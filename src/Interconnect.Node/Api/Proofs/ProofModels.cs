using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Merkle;
using Interconnect.Node.Api.Ledgers;
using Interconnect.Storage;

namespace Interconnect.Node.Api.Proofs;

/// <summary>A signed checkpoint of this administration's Merkle log.</summary>
/// <param name="Origin">The administration whose log it is.</param>
/// <param name="TreeSize">Leaves in the log.</param>
/// <param name="RootHash">The RFC 9162 root hash at that size (hex).</param>
/// <param name="Timestamp">When it was signed.</param>
/// <param name="KeyId">The signing key.</param>
/// <param name="Algorithm">The signature algorithm.</param>
/// <param name="Signature">The signature (hex).</param>
/// <param name="SignedCheckpoint">The wire form (base64): signing input then signature, see docs/ledger-format.md.</param>
public sealed record CheckpointResponse(
    string Origin,
    long TreeSize,
    string RootHash,
    DateTimeOffset Timestamp,
    string KeyId,
    string Algorithm,
    string Signature,
    string SignedCheckpoint)
{
    /// <summary>From a signed checkpoint.</summary>
    public static CheckpointResponse From(SignedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var c = checkpoint.Checkpoint;
        return new CheckpointResponse(
            c.Origin, c.TreeSize, c.RootHash.ToString(), c.Timestamp, checkpoint.KeyId, checkpoint.Algorithm.ToString(),
            Convert.ToHexStringLower(checkpoint.Signature), Convert.ToBase64String(checkpoint.Encode()));
    }
}

/// <summary>An RFC 9162 inclusion proof of one entry in the log of a given size.</summary>
/// <param name="EntryHash">The proven entry's hash (hex).</param>
/// <param name="LeafHash">The Merkle leaf hash, SHA-256(0x00 || entry hash) (hex).</param>
/// <param name="LeafIndex">The leaf's index, from 0.</param>
/// <param name="TreeSize">The size of the tree whose root the proof leads to.</param>
/// <param name="Path">Sibling hashes from the leaf up (hex).</param>
/// <param name="Proof">The encoded proof (base64), see docs/ledger-format.md.</param>
/// <param name="Entity">The entity the entry belongs to.</param>
/// <param name="Sequence">The entry's sequence in that entity.</param>
public sealed record InclusionProofResponse(
    string EntryHash,
    string LeafHash,
    long LeafIndex,
    long TreeSize,
    IReadOnlyList<string> Path,
    string Proof,
    EntityReference Entity,
    ulong Sequence)
{
    /// <summary>From a logged leaf and its proof.</summary>
    public static InclusionProofResponse From(LogLeaf leaf, InclusionProof proof)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(proof);
        return new InclusionProofResponse(
            leaf.EntryHash.ToString(), MerkleHash.EntryLeaf(leaf.EntryHash).ToString(), proof.LeafIndex, proof.TreeSize,
            [.. proof.Path.Select(h => h.ToString())], Convert.ToBase64String(proof.Encode()), EntityReference.From(leaf.Entity), leaf.Sequence);
    }
}

/// <summary>An RFC 9162 consistency proof between two sizes of the log.</summary>
/// <param name="FromSize">The earlier size.</param>
/// <param name="ToSize">The later size.</param>
/// <param name="Path">The proof hashes (hex).</param>
/// <param name="Proof">The encoded proof (base64), see docs/ledger-format.md.</param>
public sealed record ConsistencyProofResponse(long FromSize, long ToSize, IReadOnlyList<string> Path, string Proof)
{
    /// <summary>From a proof.</summary>
    public static ConsistencyProofResponse From(ConsistencyProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new(proof.OldSize, proof.NewSize, [.. proof.Path.Select(h => h.ToString())], Convert.ToBase64String(proof.Encode()));
    }
}
