using Interconnect.Ledger.Disclosure;
using Interconnect.Storage;

namespace Interconnect.Node.Audit;

/// <summary>Reads the entries behind a page of log leaves, for scans of the log by time or by actor.</summary>
internal static class LogEntries
{
    /// <summary>Leaves read from storage at once while scanning the log.</summary>
    public const int PageSize = 500;

    /// <summary>
    /// The entries of <paramref name="leaves"/>, keyed by entity and sequence: one ranged read per
    /// entity, since a page's leaves of one entity are consecutive sequences of its chain,
    /// interleaved with other entities' leaves.
    /// </summary>
    public static async Task<Dictionary<(EntityKey, ulong), DisclosedEntry>> ReadAsync(
        IEntityLedgerStore entities, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(EntityKey, ulong), DisclosedEntry>();
        foreach (var group in leaves.GroupBy(l => l.Entity))
        {
            var first = group.Min(l => l.Sequence);
            var last = group.Max(l => l.Sequence);
            var entries = await entities.ReadAsync(group.Key, first, (int)(last - first + 1), cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                result[(group.Key, entry.Entry.Body.Sequence)] = entry;
            }
        }

        return result;
    }
}
