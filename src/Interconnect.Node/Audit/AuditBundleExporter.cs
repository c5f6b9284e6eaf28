using Interconnect.Ledger.Audit;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Node.Audit;

/// <summary>
/// Builds audit bundles from this node's store and Merkle log: the entries with every field and
/// salt, an inclusion proof for each against one checkpoint of the log signed for the export, and
/// the node's key set as stored (its own ledger entity), so entries signed before and after a rotation all verify.
/// </summary>
public sealed class AuditBundleExporter(AdministrationNode node)
{
    /// <summary>Most entries one bundle holds; a larger range must be split.</summary>
    public const int MaxEntries = 10_000;

    private const int PageSize = 1000;

    /// <summary>Every entry of our entity <paramref name="kind"/>/<paramref name="id"/>.</summary>
    public async Task<AuditExport> ExportEntityAsync(string kind, string id, CancellationToken cancellationToken = default)
    {
        if (kind == KeySetFormat.EntityKind)
        {
            return new AuditExport.NotFound($"The key set of {node.Id} is not exported as an entity: every bundle carries it whole, as its keySet.");
        }

        var entity = new EntityKey(node.Id, kind, id);
        var head = await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return new AuditExport.NotFound($"This administration ({node.Id}) has no {kind} {id}.");
        }

        if (head.LastSequence > MaxEntries)
        {
            return new AuditExport.TooLarge(head.LastSequence, $"{kind} {id} has {head.LastSequence} entries; a bundle holds at most {MaxEntries}.");
        }

        var entries = new List<DisclosedEntry>((int)head.LastSequence);
        for (ulong next = 1; next <= head.LastSequence;)
        {
            var page = await node.Store.Entities.ReadAsync(entity, next, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            entries.AddRange(page);
            next = page[^1].Entry.Body.Sequence + 1;
        }

        // Signed after the read, so the checkpoint covers every entry read that the log holds. An entry
        // appended but not yet logged (a replica mid-append) ends the export: the chain stays whole.
        var checkpoint = await node.Log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var proven = new List<ProvenEntry>(entries.Count);
        foreach (var entry in entries)
        {
            var proof = await node.Log.ProveInclusionAsync(entry.Entry.Hash, checkpoint.Checkpoint.TreeSize, cancellationToken).ConfigureAwait(false);
            if (proof is null)
            {
                break;
            }

            proven.Add(new ProvenEntry(entry, proof.Value.Proof));
        }

        if (proven.Count == 0)
        {
            return new AuditExport.NotFound($"No entry of {kind} {id} is in {node.Id}'s Merkle log yet.");
        }

        return new AuditExport.Exported(await BundleAsync(new AuditScope.Entity(kind, id), checkpoint, proven, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The log leaves whose entries are signed within [<paramref name="from"/>, <paramref name="to"/>), in log order
    /// (key-set entries apart: they are the bundle's keySet).
    /// Scans the whole log: leaves record no time, and entries of different entities are not logged in time order.
    /// </summary>
    public async Task<AuditExport> ExportRangeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var scope = new AuditScope.LogRange(from, to);
        var checkpoint = await node.Log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var size = checkpoint.Checkpoint.TreeSize;
        var selected = new List<DisclosedEntry>();
        for (long start = 0; start < size;)
        {
            var leaves = await node.Store.Log.ReadAsync(start, (int)Math.Min(PageSize, size - start), cancellationToken).ConfigureAwait(false);
            if (leaves.Count == 0)
            {
                break;
            }

            var entries = await LogEntries.ReadAsync(node.Store.Entities, leaves, cancellationToken).ConfigureAwait(false);
            foreach (var leaf in leaves)
            {
                // Key-set entries travel whole in the bundle's keySet, where the fold judges each event's
                // signer as the set stood before it. Listed as log entries they would be judged by the
                // final set, where a rotation signed by the key it ends reads as signed after that end.
                if (leaf.Entity.Kind != KeySetFormat.EntityKind
                    && entries.TryGetValue((leaf.Entity, leaf.Sequence), out var entry) && scope.Contains(entry.Entry.Body.Timestamp))
                {
                    selected.Add(entry);
                }
            }

            if (selected.Count > MaxEntries)
            {
                return new AuditExport.TooLarge((ulong)selected.Count, $"The range holds more than {MaxEntries} entries, the most one bundle holds: narrow it.");
            }

            start = leaves[^1].Index + 1;
        }

        var proven = new List<ProvenEntry>(selected.Count);
        foreach (var entry in selected)
        {
            var proof = await node.Log.ProveInclusionAsync(entry.Entry.Hash, size, cancellationToken).ConfigureAwait(false)
                ?? throw new StorageException($"Entry {entry.Entry} is read from a leaf of the log but the log does not prove it.");
            proven.Add(new ProvenEntry(entry, proof.Proof));
        }

        return new AuditExport.Exported(await BundleAsync(scope, checkpoint, proven, cancellationToken).ConfigureAwait(false));
    }

    // The key set as stored, every entry of it: rotations and revocations are what let an auditor
    // check each entry against the key that was valid when it was signed.
    private async Task<AuditBundle> BundleAsync(AuditScope scope, SignedCheckpoint checkpoint, List<ProvenEntry> entries, CancellationToken cancellationToken) =>
        AuditBundle.Create(
            node.Id,
            scope,
            EntryBody.TruncateToMicros(node.Time.GetUtcNow()),
            [.. await node.OwnKeys.ReadAllAsync(cancellationToken).ConfigureAwait(false)],
            checkpoint,
            entries);
}

/// <summary>The outcome of an export: the bundle, or why there is none.</summary>
public abstract record AuditExport
{
    private AuditExport()
    {
    }

    /// <summary>The bundle.</summary>
    public sealed record Exported(AuditBundle Bundle) : AuditExport;

    /// <summary>No such entity of ours (or none of its entries logged yet).</summary>
    public sealed record NotFound(string Detail) : AuditExport;

    /// <summary>More entries than one bundle holds (<see cref="AuditBundleExporter.MaxEntries"/>).</summary>
    public sealed record TooLarge(ulong Entries, string Detail) : AuditExport;
}
