using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Audit;

/// <summary>
/// Verifies an audit bundle offline (docs/audit-bundles.md, "Verifying"): the key set from its
/// genesis, the checkpoint's signature, and for every entry its decoding, disclosed fields, signature,
/// chain links and inclusion proof. Every check runs; every problem is listed. The checks themselves
/// are the ledger's own (<see cref="KeySet"/>, <see cref="SignedCheckpoint.Verify"/>,
/// <see cref="ChainVerifier"/>, <see cref="DisclosedEntry.VerifyFields"/>, <see cref="MerkleVerifier"/>).
/// </summary>
public static class AuditBundleVerifier
{
    /// <summary>Reads and verifies a bundle in its JSON form; never throws on bad input.</summary>
    public static AuditVerification Verify(ReadOnlySpan<byte> json, AuditVerificationOptions? options = null)
    {
        var decoded = AuditBundleJson.Decode(json);
        return decoded.Bundle is { } bundle
            ? Verify(bundle, options)
            : new AuditVerification(null, null, [decoded.Problem!]);
    }

    /// <summary>Verifies a bundle; the result lists every problem found, and what was checked.</summary>
    public static AuditVerification Verify(AuditBundle bundle, AuditVerificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new AuditVerificationOptions();

        // A bundle built in code may leave arrays unset; they hold nothing, like empty ones.
        bundle = bundle with
        {
            KeySet = bundle.KeySet.IsDefault ? [] : bundle.KeySet,
            Entries = bundle.Entries.IsDefault ? [] : bundle.Entries,
            Checkpoint = bundle.Checkpoint ?? [],
        };
        var problems = new List<AuditProblem>();
        var (keys, anchor) = LoadKeySet(bundle, options, problems);
        var checkpoint = CheckCheckpoint(bundle, keys, problems);
        var entries = CheckEntries(bundle, keys, checkpoint, problems);
        CheckOrderAndChains(bundle.Scope, entries, problems);

        var signers = entries.Select(e => e.Entry.Body.KeyId);
        if (checkpoint is not null)
        {
            signers = signers.Append(checkpoint.KeyId);
        }

        var summary = new AuditSummary(
            bundle.Origin,
            bundle.Scope,
            bundle.Entries.Length,
            checkpoint?.Checkpoint,
            [.. signers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            keys is not null);
        return new AuditVerification(summary, anchor, [.. problems]);
    }

    private static (KeySet? Keys, AuditAnchor? Anchor) LoadKeySet(AuditBundle bundle, AuditVerificationOptions options, List<AuditProblem> problems)
    {
        var chain = new List<DisclosedEntry>();
        for (var i = 0; i < bundle.KeySet.Length; i++)
        {
            var item = bundle.KeySet[i];
            var decoded = LedgerEntry.Decode(item.Entry);
            if (decoded.Value is null)
            {
                // The chain cannot go past an entry that does not read; the set is what precedes it.
                problems.Add(new AuditProblem.MalformedBundle($"keySet[{Index(i)}].entry", decoded.Error!.Message));
                break;
            }

            chain.Add(new DisclosedEntry(decoded.Value, item.Fields.IsDefault ? [] : item.Fields));
        }

        if (chain.Count == 0)
        {
            if (bundle.KeySet.IsDefaultOrEmpty)
            {
                problems.Add(new AuditProblem.KeySetInvalid(0, "the bundle carries no key set."));
            }

            return (null, null);
        }

        var genesis = chain[0].Entry.Body;
        var selfAnchored = options.TrustedKeyId is null;
        var anchor = new TrustAnchor.GenesisKey(bundle.Origin, options.TrustedKeyId ?? genesis.KeyId);
        var load = KeySet.Load(anchor, chain);
        switch (load.Fault)
        {
            case null:
                break;
            case KeySetFault.AnchorMismatch mismatch:
                problems.Add(new AuditProblem.TrustAnchorMismatch(anchor.KeyId, mismatch.KeyId));
                break;
            default:
                problems.Add(new AuditProblem.KeySetInvalid(load.Fault.Sequence, load.Fault.Describe()));
                break;
        }

        if (load.Applied == 0)
        {
            return (null, new AuditAnchor(selfAnchored, genesis.KeyId, null));
        }

        var genesisKey = load.KeySet.Keys[0];
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(genesisKey.PublicKey.SubjectPublicKeyInfo));
        return (load.KeySet, new AuditAnchor(selfAnchored, genesisKey.KeyId, fingerprint));
    }

    private static SignedCheckpoint? CheckCheckpoint(AuditBundle bundle, KeySet? keys, List<AuditProblem> problems)
    {
        var decoded = SignedCheckpoint.Decode(bundle.Checkpoint ?? []);
        if (decoded.Value is not { } checkpoint)
        {
            problems.Add(new AuditProblem.MalformedBundle("checkpoint", decoded.Error!.Message));
            return null;
        }

        if (!string.Equals(checkpoint.Checkpoint.Origin, bundle.Origin, StringComparison.Ordinal))
        {
            problems.Add(new AuditProblem.CheckpointOriginMismatch(bundle.Origin, checkpoint.Checkpoint.Origin));
        }

        if (keys is not null)
        {
            switch (checkpoint.Verify(keys))
            {
                case CheckpointFault.BadSignature bad:
                    problems.Add(new AuditProblem.CheckpointSignatureInvalid(bad.KeyId, checkpoint.Checkpoint.TreeSize));
                    break;
                case CheckpointFault.UnknownKey unknown:
                    problems.Add(new AuditProblem.SignerNotInKeySet(null, unknown.KeyId));
                    break;
                case CheckpointFault.KeyNotValidAtTime nv:
                    problems.Add(new AuditProblem.KeyRevokedAtEntryTime(null, nv.KeyId, nv.At, nv.Reason));
                    break;
            }
        }

        return checkpoint;
    }

    private static List<CheckedEntry> CheckEntries(AuditBundle bundle, KeySet? keys, SignedCheckpoint? checkpoint, List<AuditProblem> problems)
    {
        var result = new List<CheckedEntry>(bundle.Entries.Length);
        for (var i = 0; i < bundle.Entries.Length; i++)
        {
            var item = bundle.Entries[i];
            var decoded = LedgerEntry.Decode(item.Entry ?? []);
            if (decoded.Value is not { } entry)
            {
                problems.Add(new AuditProblem.MalformedBundle($"entries[{Index(i)}].entry", decoded.Error!.Message));
                continue;
            }

            var body = entry.Body;
            var at = new EntryRef(i, body.EntityKind, body.EntityId, body.Sequence);
            CheckScope(bundle, body, at, problems);

            var disclosed = new DisclosedEntry(entry, item.Fields.IsDefault ? [] : item.Fields);
            switch (disclosed.VerifyFields())
            {
                case null:
                    break;
                case DisclosureFault.FieldDigestMismatch mismatch:
                    problems.Add(new AuditProblem.FieldDigestMismatch(at, mismatch.Name, mismatch.Expected, mismatch.Actual));
                    break;
                case var fault:
                    problems.Add(new AuditProblem.FieldDisclosureInvalid(at, fault.Describe()));
                    break;
            }

            if (keys is not null)
            {
                switch (ChainVerifier.VerifySignature(entry, keys))
                {
                    case EntryFault.BadSignature bad:
                        problems.Add(new AuditProblem.EntrySignatureInvalid(at, bad.KeyId));
                        break;
                    case EntryFault.UnknownKey unknown:
                        problems.Add(new AuditProblem.SignerNotInKeySet(at, unknown.KeyId));
                        break;
                    case EntryFault.KeyNotValidAtTime nv:
                        problems.Add(new AuditProblem.KeyRevokedAtEntryTime(at, nv.KeyId, nv.At, nv.Reason));
                        break;
                }
            }

            var leafIndex = CheckInclusion(item, entry, at, i, checkpoint, problems);
            result.Add(new CheckedEntry(at, entry, leafIndex));
        }

        return result;
    }

    private static void CheckScope(AuditBundle bundle, EntryBody body, EntryRef at, List<AuditProblem> problems)
    {
        if (!string.Equals(body.Origin, bundle.Origin, StringComparison.Ordinal))
        {
            problems.Add(new AuditProblem.EntryOutsideScope(at, $"originated by {body.Origin}, not {bundle.Origin}."));
        }

        switch (bundle.Scope)
        {
            case AuditScope.Entity entity when !string.Equals(body.EntityKind, entity.EntityKind, StringComparison.Ordinal)
                                               || !string.Equals(body.EntityId, entity.EntityId, StringComparison.Ordinal):
                problems.Add(new AuditProblem.EntryOutsideScope(at, $"the bundle covers {entity.Describe()} only."));
                break;
            case AuditScope.LogRange range when !range.Contains(body.Timestamp):
                problems.Add(new AuditProblem.EntryOutsideScope(at, $"signed at {KeySetFormat.FormatTime(body.Timestamp)}, outside [{KeySetFormat.FormatTime(range.From)}, {KeySetFormat.FormatTime(range.To)})."));
                break;
        }
    }

    private static long? CheckInclusion(BundledEntry item, LedgerEntry entry, EntryRef at, int position, SignedCheckpoint? checkpoint, List<AuditProblem> problems)
    {
        var decoded = InclusionProof.Decode(item.InclusionProof ?? []);
        if (decoded.Value is not { } proof)
        {
            problems.Add(new AuditProblem.MalformedBundle($"entries[{Index(position)}].inclusionProof", decoded.Error!.Message));
            return null;
        }

        if (checkpoint is null)
        {
            return proof.LeafIndex;
        }

        var size = checkpoint.Checkpoint.TreeSize;
        if (proof.TreeSize != size)
        {
            problems.Add(new AuditProblem.EntryOutsideCheckpoint(at, proof.LeafIndex, proof.TreeSize, size));
            return proof.LeafIndex;
        }

        var verification = MerkleVerifier.VerifyInclusion(MerkleHash.EntryLeaf(entry.Hash), proof, checkpoint.Checkpoint.RootHash);
        if (verification.Fault is { } fault)
        {
            problems.Add(new AuditProblem.InclusionProofInvalid(at, proof.LeafIndex, fault.Describe()));
        }

        return proof.LeafIndex;
    }

    private static void CheckOrderAndChains(AuditScope scope, List<CheckedEntry> entries, List<AuditProblem> problems)
    {
        var isEntity = scope is AuditScope.Entity;

        // Another entity's entries in an entity bundle are already reported as outside its scope.
        if (scope is AuditScope.Entity entity)
        {
            entries = entries.Where(e => string.Equals(e.At.EntityKind, entity.EntityKind, StringComparison.Ordinal)
                                         && string.Equals(e.At.EntityId, entity.EntityId, StringComparison.Ordinal)).ToList();
        }

        // The bundle's order: sequence order for one entity, log order for a range. Reported apart
        // from the chain, which is checked in sequence order, so a reordering is not taken for a gap.
        for (var i = 1; i < entries.Count; i++)
        {
            var (previous, current) = (entries[i - 1], entries[i]);
            if (isEntity && current.At.Sequence < previous.At.Sequence)
            {
                problems.Add(new AuditProblem.EntryOutOfOrder(current.At, $"follows #{Index(previous.At.Sequence)}; an entity bundle lists entries by sequence."));
            }
            else if (!isEntity && current.LeafIndex is { } leaf && previous.LeafIndex is { } before && leaf <= before)
            {
                problems.Add(new AuditProblem.EntryOutOfOrder(current.At, $"leaf {Index(leaf)} follows leaf {Index(before)}; a range bundle lists entries in log order."));
            }
        }

        if (isEntity && entries.Count == 0)
        {
            problems.Add(new AuditProblem.MalformedBundle("entries", "an entity bundle holds at least the entity's first entry."));
        }

        // A range holds a contiguous run of each entity's chain (an entity's timestamps never go back),
        // so only its first entry there lacks a predecessor; an entity bundle starts from sequence 1.
        foreach (var run in entries.GroupBy(e => (e.Entry.Body.Origin, e.Entry.Body.EntityKind, e.Entry.Body.EntityId)))
        {
            var sorted = run.OrderBy(e => e.At.Sequence).ThenBy(e => e.At.Position).ToList();
            var start = isEntity ? 0 : 1;
            for (var i = start; i < sorted.Count; i++)
            {
                var previous = i == 0 ? null : sorted[i - 1].Entry.Body;
                var current = sorted[i];
                switch (ChainVerifier.VerifyLink(previous, current.Entry.Body))
                {
                    case null:
                        break;
                    case EntryFault.SequenceGap gap when gap.Actual > gap.Expected:
                        problems.Add(new AuditProblem.MissingEntry(current.At.EntityKind, current.At.EntityId, gap.Expected, gap.Actual));
                        break;
                    case EntryFault.SequenceGap:
                        problems.Add(new AuditProblem.DuplicateEntry(current.At));
                        break;
                    case EntryFault.HashMismatch mismatch:
                        problems.Add(new AuditProblem.ChainBroken(current.At, mismatch.Expected, mismatch.Actual));
                        break;
                    case var fault:
                        problems.Add(new AuditProblem.ChainLinkInvalid(current.At, fault.Describe()));
                        break;
                }
            }
        }
    }

    private static string Index(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Index(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record CheckedEntry(EntryRef At, LedgerEntry Entry, long? LeafIndex);
}

/// <summary>How to verify: what the auditor trusts.</summary>
public sealed record AuditVerificationOptions
{
    /// <summary>No trust anchor: the key set anchors itself and the result shows its fingerprint to compare.</summary>
    public AuditVerificationOptions()
    {
    }

    /// <summary>Trusts the key with id <paramref name="trustedKeyId"/> as the origin's genesis key.</summary>
    public AuditVerificationOptions(string trustedKeyId)
    {
        if (Entries.Identifier.Explain(trustedKeyId) is { } problem)
        {
            throw new ArgumentException($"Key id \"{trustedKeyId}\" {problem}.", nameof(trustedKeyId));
        }

        TrustedKeyId = trustedKeyId;
    }

    /// <summary>The pinned genesis key id, or null for a self-anchored verification.</summary>
    public string? TrustedKeyId { get; }

    /// <summary>Trusts <paramref name="key"/> (an administration's published key) as the origin's genesis key.</summary>
    public static AuditVerificationOptions TrustingKey(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new AuditVerificationOptions(key.KeyId);
    }
}

/// <summary>The outcome of verifying a bundle: what was checked, what it is anchored in, and every problem.</summary>
/// <param name="Summary">What was checked; null when the bundle did not read.</param>
/// <param name="Anchor">The key-set anchor, when the bundle has a genesis.</param>
/// <param name="Problems">Every problem found; empty when the bundle is valid.</param>
public sealed record AuditVerification(AuditSummary? Summary, AuditAnchor? Anchor, ImmutableArray<AuditProblem> Problems)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsValid => Problems.IsEmpty && Summary is not null;
}

/// <summary>What a verification covered.</summary>
/// <param name="Origin">The administration.</param>
/// <param name="Scope">The bundle's scope.</param>
/// <param name="Entries">Entries in the bundle.</param>
/// <param name="Checkpoint">The checkpoint, when it decoded.</param>
/// <param name="SignerKeyIds">The key ids named by the entries and the checkpoint.</param>
/// <param name="SignaturesChecked">False when no trusted key set could be established, so signatures were not checked.</param>
public sealed record AuditSummary(string Origin, AuditScope Scope, int Entries, Checkpoint? Checkpoint, ImmutableArray<string> SignerKeyIds, bool SignaturesChecked);

/// <summary>What the key set is anchored in.</summary>
/// <param name="SelfAnchored">True when no trusted key was given: the bundle's own genesis was taken as the anchor.</param>
/// <param name="GenesisKeyId">The key id of the genesis key.</param>
/// <param name="Fingerprint">SHA-256 of the genesis key's SubjectPublicKeyInfo (hex); null when the genesis did not verify.</param>
public sealed record AuditAnchor(bool SelfAnchored, string GenesisKeyId, string? Fingerprint);
