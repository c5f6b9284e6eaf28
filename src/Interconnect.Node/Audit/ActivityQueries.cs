using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Disclosure;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Node.Audit;

/// <summary>
/// Who did what, and when: the acting principals recorded in the ledger (<see cref="Actor"/>), read back
/// for auditors by principal or by entity over a time range.
/// </summary>
/// <remarks>
/// There is no index by principal: a principal's activity is found by scanning our log, a bounded
/// number of leaves per call, with a cursor to go on. The log holds every entry we originate, so the
/// scan misses none, whatever order entries were logged in.
/// </remarks>
public sealed class ActivityQueries(AdministrationNode node)
{
    /// <summary>Most log leaves one call scans.</summary>
    public const int MaxLeavesPerCall = 20_000;

    /// <summary>
    /// What <paramref name="principal"/> did in [<paramref name="from"/>, <paramref name="to"/>): our
    /// entries recording it as actor, in log order, from log index <paramref name="cursor"/> on.
    /// </summary>
    public async Task<ActivityPage> ByPrincipalAsync(string principal, DateTimeOffset from, DateTimeOffset to, long cursor, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(principal);
        var size = await node.Store.Log.GetSizeAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<Activity>();
        var next = cursor;
        while (next < size && next - cursor < MaxLeavesPerCall && found.Count < limit)
        {
            var count = (int)Math.Min(LogEntries.PageSize, Math.Min(size - next, MaxLeavesPerCall - (next - cursor)));
            var leaves = await node.Store.Log.ReadAsync(next, count, cancellationToken).ConfigureAwait(false);
            if (leaves.Count == 0)
            {
                break;
            }

            var entries = await LogEntries.ReadAsync(node.Store.Entities, leaves, cancellationToken).ConfigureAwait(false);
            foreach (var leaf in leaves)
            {
                next = leaf.Index + 1;
                var entry = entries.GetValueOrDefault((leaf.Entity, leaf.Sequence))
                    ?? throw new StorageException($"Log leaf {leaf.Index} names {leaf.Entity} entry {leaf.Sequence}, which storage does not return.");
                if (string.Equals(entry[Actor.IdField], principal, StringComparison.Ordinal) && Within(entry, from, to))
                {
                    found.Add(Activity.Of(entry, leaf.Index));
                    if (found.Count == limit)
                    {
                        break;
                    }
                }
            }
        }

        return new ActivityPage(found, next < size ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, next);
    }

    /// <summary>
    /// The entries of <paramref name="entity"/> signed in [<paramref name="from"/>, <paramref name="to"/>),
    /// with who acted, after sequence <paramref name="afterSequence"/>; null when we hold no such entity.
    /// </summary>
    public async Task<ActivityPage?> ByEntityAsync(EntityKey entity, DateTimeOffset from, DateTimeOffset to, ulong afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var head = await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return null;
        }

        var found = new List<Activity>();
        var next = afterSequence;
        while (next < head.LastSequence && found.Count < limit)
        {
            var page = await node.Store.Entities.ReadAsync(entity, next + 1, (int)Math.Min(LogEntries.PageSize, head.LastSequence - next), cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                next = entry.Entry.Body.Sequence;
                if (Within(entry, from, to))
                {
                    found.Add(Activity.Of(entry, null));
                    if (found.Count == limit)
                    {
                        break;
                    }
                }
            }
        }

        return new ActivityPage(found, next < head.LastSequence ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, null);
    }

    private static bool Within(DisclosedEntry entry, DateTimeOffset from, DateTimeOffset to) =>
        entry.Entry.Body.Timestamp >= from && entry.Entry.Body.Timestamp < to;
}

/// <summary>One page of activity.</summary>
/// <param name="Activities">What was done, oldest first within the page.</param>
/// <param name="Next">The cursor of the next page (pass as <c>after</c>); null when the scan is complete.</param>
/// <param name="ScannedThrough">For a principal: the log index the scan reached (exclusive).</param>
public sealed record ActivityPage(IReadOnlyList<Activity> Activities, string? Next, long? ScannedThrough);

/// <summary>One entry as activity: when, who (when recorded), what, on which entity.</summary>
/// <param name="At">The entry's signing time.</param>
/// <param name="Principal">The acting principal's id, or null for a node's own work or a partner's entry.</param>
/// <param name="Role">The role it acted in.</param>
/// <param name="Origin">The administration that signed the entry.</param>
/// <param name="Kind">The entity kind.</param>
/// <param name="Id">The entity id.</param>
/// <param name="Sequence">The entry's sequence in the entity's chain.</param>
/// <param name="EntryType">What happened.</param>
/// <param name="EntryHash">The entry hash (hex), to find or prove the entry.</param>
/// <param name="LogIndex">Its leaf in our log, when found by a log scan.</param>
public sealed record Activity(
    DateTimeOffset At, string? Principal, string? Role, string Origin, string Kind, string Id, ulong Sequence, string EntryType, string EntryHash, long? LogIndex)
{
    internal static Activity Of(DisclosedEntry entry, long? logIndex)
    {
        var body = entry.Entry.Body;
        return new Activity(body.Timestamp, entry[Actor.IdField], entry[Actor.RoleField], body.Origin, body.EntityKind, body.EntityId, body.Sequence, body.EntryType, body.Hash.ToString(), logIndex);
    }
}
