using System.Globalization;
using Interconnect.Ledger.KeySets;

namespace Interconnect.Ledger.Audit;

/// <summary>Names one entry of a bundle in problem reports: its place in the bundle and its identity.</summary>
/// <param name="Position">Index in the bundle's <c>entries</c> array, from 0.</param>
/// <param name="EntityKind">The entity kind the entry names.</param>
/// <param name="EntityId">The entity id the entry names.</param>
/// <param name="Sequence">The entry's sequence number.</param>
public sealed record EntryRef(int Position, string EntityKind, string EntityId, ulong Sequence)
{
    /// <inheritdoc />
    public override string ToString() => $"{EntityKind} {EntityId} #{Sequence.ToString(CultureInfo.InvariantCulture)} (entries[{Position.ToString(CultureInfo.InvariantCulture)}])";
}

/// <summary>Exactly one thing wrong with an audit bundle. A verification lists every one it finds.</summary>
public abstract record AuditProblem
{
    private AuditProblem()
    {
    }

    /// <summary>The entry concerned, when the problem is about one entry.</summary>
    public virtual EntryRef? Entry => null;

    /// <summary>A stable name for the kind of problem (the record's name), for JSON reports.</summary>
    public string Kind => GetType().Name;

    /// <summary>One line for the auditor, saying what is wrong and where.</summary>
    public abstract string Describe();

    /// <summary>The bundle does not read: bad JSON, a missing or extra member, bytes that do not decode.</summary>
    /// <param name="Where">The JSON path of the offending member, e.g. <c>entries[3].inclusionProof</c>.</param>
    /// <param name="Detail">What is wrong with it.</param>
    public sealed record MalformedBundle(string Where, string Detail) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() => $"Malformed bundle at {Where}: {Detail}";
    }

    /// <summary>The bundle declares a format version this verifier does not read.</summary>
    public sealed record UnsupportedFormatVersion(string Found) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() => $"Bundle format version {Found} is not supported; this verifier reads version {AuditBundle.FormatVersion}.";
    }

    /// <summary>The key set's genesis is not the key the auditor trusts.</summary>
    public sealed record TrustAnchorMismatch(string TrustedKeyId, string GenesisKeyId) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"The key set starts from key {GenesisKeyId}, not from the trusted key {TrustedKeyId}: nothing in this bundle is signed under the key you trust.";
    }

    /// <summary>A key-set entry was refused (ledger-format.md 8.3); the set is used only as far as it verified.</summary>
    public sealed record KeySetInvalid(ulong Sequence, string Reason) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() => $"Key set entry {Sequence.ToString(CultureInfo.InvariantCulture)} is refused: {Reason}";
    }

    /// <summary>The checkpoint is not about the bundle's origin.</summary>
    public sealed record CheckpointOriginMismatch(string Expected, string Actual) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() => $"The checkpoint is {Actual}'s log, not {Expected}'s.";
    }

    /// <summary>The checkpoint's signature does not verify with the key it names.</summary>
    public sealed record CheckpointSignatureInvalid(string KeyId, long TreeSize) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"The checkpoint (tree size {TreeSize.ToString(CultureInfo.InvariantCulture)}) signature does not verify with key {KeyId}: its size, root, time or signature was altered.";
    }

    /// <summary>An entry's or the checkpoint's signer is not in the key set.</summary>
    /// <param name="At">The entry, or null for the checkpoint.</param>
    /// <param name="KeyId">The key it names.</param>
    public sealed record SignerNotInKeySet(EntryRef? At, string KeyId) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{Subject(At)}: signed by key {KeyId}, which is not in the bundle's key set.";
    }

    /// <summary>The signer was in the key set but not valid when the entry (or checkpoint) says it signed.</summary>
    /// <param name="At">The entry, or null for the checkpoint.</param>
    /// <param name="KeyId">The key it names.</param>
    /// <param name="SignedAt">The signing time.</param>
    /// <param name="Reason">Why the key was not valid then (revoked, rotated, not yet valid).</param>
    public sealed record KeyRevokedAtEntryTime(EntryRef? At, string KeyId, DateTimeOffset SignedAt, string Reason) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{Subject(At)}: key {KeyId} was not valid at {KeySetFormat.FormatTime(SignedAt)} ({Reason}).";
    }

    /// <summary>An entry's signature does not verify with the key it names.</summary>
    public sealed record EntrySignatureInvalid(EntryRef At, string KeyId) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: the signature does not verify with key {KeyId}.";
    }

    /// <summary>A disclosed field's value and salt do not hash to the digest the entry signs.</summary>
    public sealed record FieldDigestMismatch(EntryRef At, string Field, Hash256 Expected, Hash256 Actual) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: field \"{Field}\" hashes to {Actual}, but the entry signs {Expected}.";
    }

    /// <summary>A disclosed field is otherwise unusable (not committed, duplicated, bad salt).</summary>
    public sealed record FieldDisclosureInvalid(EntryRef At, string Reason) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: {Reason}";
    }

    /// <summary>An entry's previous hash is not the hash of the entry before it.</summary>
    public sealed record ChainBroken(EntryRef At, Hash256 ExpectedPreviousHash, Hash256 Actual) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() =>
            $"{At}: previous hash {Actual} is not {ExpectedPreviousHash}, the hash of the entry before it: the chain is broken.";
    }

    /// <summary>An entity's entries skip a sequence number: an entry is missing.</summary>
    public sealed record MissingEntry(string EntityKind, string EntityId, ulong ExpectedSequence, ulong FoundSequence) : AuditProblem
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"{EntityKind} {EntityId}: entry #{ExpectedSequence.ToString(CultureInfo.InvariantCulture)} is missing (the next entry in the bundle is #{FoundSequence.ToString(CultureInfo.InvariantCulture)}).";
    }

    /// <summary>The same entry (entity and sequence) appears twice.</summary>
    public sealed record DuplicateEntry(EntryRef At) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: this sequence number appears more than once.";
    }

    /// <summary>Entries are not in the bundle's order (sequence order for an entity, log order for a range).</summary>
    public sealed record EntryOutOfOrder(EntryRef At, string Detail) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: out of order: {Detail}";
    }

    /// <summary>Another link rule of ledger-format.md 4.5 fails (time going backwards).</summary>
    public sealed record ChainLinkInvalid(EntryRef At, string Reason) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: {Reason}";
    }

    /// <summary>An entry's inclusion proof does not lead from its leaf to the checkpoint's root.</summary>
    public sealed record InclusionProofInvalid(EntryRef At, long LeafIndex, string Reason) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() =>
            $"{At}: the inclusion proof of leaf {LeafIndex.ToString(CultureInfo.InvariantCulture)} does not lead to the checkpoint's root ({Reason}).";
    }

    /// <summary>An entry's proof is for another tree than the checkpoint's, so the checkpoint does not cover it.</summary>
    public sealed record EntryOutsideCheckpoint(EntryRef At, long LeafIndex, long ProofTreeSize, long CheckpointTreeSize) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() =>
            $"{At}: its proof places leaf {LeafIndex.ToString(CultureInfo.InvariantCulture)} in a tree of {ProofTreeSize.ToString(CultureInfo.InvariantCulture)} leaves, but the checkpoint covers {CheckpointTreeSize.ToString(CultureInfo.InvariantCulture)}.";
    }

    /// <summary>An entry is not within what the bundle says it covers (another origin, entity or time).</summary>
    public sealed record EntryOutsideScope(EntryRef At, string Reason) : AuditProblem
    {
        /// <inheritdoc />
        public override EntryRef? Entry => At;

        /// <inheritdoc />
        public override string Describe() => $"{At}: outside the bundle's scope: {Reason}";
    }

    private static string Subject(EntryRef? entry) => entry?.ToString() ?? "The checkpoint";
}
