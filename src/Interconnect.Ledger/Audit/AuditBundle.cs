using System.Collections.Immutable;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Merkle;

namespace Interconnect.Ledger.Audit;

/// <summary>
/// An export that an auditor verifies offline without trusting the node that made it
/// (docs/audit-bundles.md): signed entries with their disclosed fields, an inclusion proof for each
/// against one signed checkpoint, and the origin's key set. Byte fields are kept exactly as exported,
/// undecoded, so that the verifier can say which one is broken instead of refusing the whole bundle.
/// </summary>
/// <param name="Origin">The administration whose entries, log and keys these are.</param>
/// <param name="Scope">What the export covers.</param>
/// <param name="ExportedAt">When the node made the export (informative: not signed).</param>
/// <param name="KeySet">The origin's key-set chain from its genesis, every field disclosed.</param>
/// <param name="Checkpoint">The signed checkpoint, in its wire form (ledger-format.md 7.2).</param>
/// <param name="Entries">The entries, each with its fields and inclusion proof.</param>
public sealed record AuditBundle(
    string Origin,
    AuditScope Scope,
    DateTimeOffset ExportedAt,
    ImmutableArray<BundledEntry> KeySet,
    byte[] Checkpoint,
    ImmutableArray<BundledEntry> Entries)
{
    /// <summary>The value of the bundle's <c>format</c> member.</summary>
    public const string FormatName = "interconnect-audit-bundle";

    /// <summary>The bundle format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The media type of a bundle (JSON, UTF-8).</summary>
    public const string MediaType = "application/vnd.interconnect.audit-bundle+json";

    /// <summary>The file name extension used for exported bundles.</summary>
    public const string FileExtension = ".audit.json";

    /// <summary>Most entries a bundle of this version may hold (and most key-set entries).</summary>
    public const int MaxEntries = 100_000;

    /// <summary>Assembles a bundle from ledger objects; the bytes are their wire forms.</summary>
    public static AuditBundle Create(
        string origin,
        AuditScope scope,
        DateTimeOffset exportedAt,
        IEnumerable<DisclosedEntry> keySet,
        SignedCheckpoint checkpoint,
        IEnumerable<ProvenEntry> entries)
    {
        Identifier.Require(origin, "origin administration");
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(keySet);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(entries);
        return new AuditBundle(
            origin,
            scope,
            EntryBody.TruncateToMicros(exportedAt),
            [.. keySet.Select(k => new BundledEntry(k.Entry.Encode(), k.Fields, null))],
            checkpoint.Encode(),
            [.. entries.Select(e => new BundledEntry(e.Entry.Entry.Encode(), e.Entry.Fields, e.Proof.Encode()))]);
    }
}

/// <summary>One entry of a bundle as exported: the signed entry bytes, its disclosed fields and (for log entries) its inclusion proof.</summary>
/// <param name="Entry">The signed entry in its wire form (ledger-format.md 4.4).</param>
/// <param name="Fields">The disclosed fields, each with its salt.</param>
/// <param name="InclusionProof">The encoded inclusion proof (ledger-format.md 6.3); null for key-set entries.</param>
public sealed record BundledEntry(byte[] Entry, ImmutableArray<DisclosedField> Fields, byte[]? InclusionProof);

/// <summary>An entry of the origin's log with its inclusion proof, for <see cref="AuditBundle.Create"/>.</summary>
/// <param name="Entry">The entry with the fields to disclose.</param>
/// <param name="Proof">Its inclusion proof in the checkpoint's tree.</param>
public sealed record ProvenEntry(DisclosedEntry Entry, InclusionProof Proof);

/// <summary>What an audit bundle covers: one entity's whole ledger, or the log entries of a time range.</summary>
public abstract record AuditScope
{
    private AuditScope()
    {
    }

    /// <summary>A phrase for reports, e.g. "aeo-operator NLAEOF0000123".</summary>
    public abstract string Describe();

    /// <summary>Every entry of one entity, from sequence 1.</summary>
    public sealed record Entity : AuditScope
    {
        /// <summary>Names the entity; both parts follow the identifier grammar.</summary>
        public Entity(string entityKind, string entityId)
        {
            Identifier.Require(entityKind, "entity kind");
            Identifier.Require(entityId, "entity id");
            EntityKind = entityKind;
            EntityId = entityId;
        }

        /// <summary>The entity kind.</summary>
        public string EntityKind { get; }

        /// <summary>The entity id.</summary>
        public string EntityId { get; }

        /// <inheritdoc />
        public override string Describe() => $"{EntityKind} {EntityId}";
    }

    /// <summary>The log leaves whose entries carry a timestamp in [From, To).</summary>
    public sealed record LogRange : AuditScope
    {
        /// <summary>A non-empty range of whole microseconds.</summary>
        public LogRange(DateTimeOffset from, DateTimeOffset to)
        {
            EntryBody.ToMicros(from);
            EntryBody.ToMicros(to);
            if (from >= to)
            {
                throw new ArgumentException($"The range is empty: from {KeySetFormat.FormatTime(from)} is not before to {KeySetFormat.FormatTime(to)}.", nameof(from));
            }

            From = from.ToUniversalTime();
            To = to.ToUniversalTime();
        }

        /// <summary>The first instant included.</summary>
        public DateTimeOffset From { get; }

        /// <summary>The first instant after the range.</summary>
        public DateTimeOffset To { get; }

        /// <summary>Whether an entry signed at <paramref name="at"/> falls in the range.</summary>
        public bool Contains(DateTimeOffset at) => at >= From && at < To;

        /// <inheritdoc />
        public override string Describe() => $"log entries from {KeySetFormat.FormatTime(From)} to {KeySetFormat.FormatTime(To)}";
    }
}
