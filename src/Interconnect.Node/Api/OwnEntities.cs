using Interconnect.Ledger.Disclosure;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Node.Api;

/// <summary>Reads of this administration's own entities straight from storage, without activating grains.</summary>
internal static class OwnEntities
{
    /// <summary>The key of our entity <paramref name="id"/> of <paramref name="kind"/>; 400 when the id is out of format.</summary>
    public static EntityKey Key(this AdministrationNode node, string kind, string id, string field)
    {
        ApiInput.Identifier(id, field);
        return new EntityKey(node.Id, kind, id);
    }

    /// <summary>Whether our entity has any entry (an unknown one is a 404, not an activation).</summary>
    public static async Task<bool> ExistsAsync(this AdministrationNode node, string kind, string id, string field, CancellationToken cancellationToken) =>
        await node.Store.Entities.GetHeadAsync(node.Key(kind, id, field), cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The first entry of our entity, or null.</summary>
    public static async Task<DisclosedEntry?> FirstEntryAsync(this AdministrationNode node, EntityKey entity, CancellationToken cancellationToken)
    {
        var first = await node.Store.Entities.ReadAsync(entity, 1, 1, cancellationToken).ConfigureAwait(false);
        return first.Count == 0 ? null : first[0];
    }

    /// <summary>Ids of our entities of <paramref name="kind"/> after the cursor <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public static async Task<(IReadOnlyList<string> Ids, string? Next)> ListIdsAsync(
        this AdministrationNode node, string kind, string? after, int limit, CancellationToken cancellationToken)
    {
        var ids = new List<string>(Math.Min(limit, 64));
        await foreach (var key in node.Store.Entities.ListAsync(node.Id, kind, cancellationToken).ConfigureAwait(false))
        {
            if (after is not null && string.CompareOrdinal(key.Id, after) <= 0)
            {
                continue;
            }

            if (ids.Count == limit)
            {
                return (ids, ids[^1]);
            }

            ids.Add(key.Id);
        }

        return (ids, null);
    }

    /// <summary>
    /// One page of our entities of <paramref name="kind"/> after <paramref name="after"/>, each as
    /// <paramref name="describe"/> shows it (an entity it returns null for is left out).
    /// </summary>
    public static async Task<ListPage<T>> ListPageAsync<T>(
        this AdministrationNode node, string kind, string? after, int? limit, Func<string, Task<T?>> describe, CancellationToken cancellationToken)
        where T : class
    {
        var (ids, next) = await node.ListIdsAsync(kind, after, ApiInput.Limit(limit), cancellationToken).ConfigureAwait(false);
        var items = new List<T>(ids.Count);
        foreach (var id in ids)
        {
            if (await describe(id).ConfigureAwait(false) is { } item)
            {
                items.Add(item);
            }
        }

        return new ListPage<T>(items, next);
    }

    /// <summary>Every entry of our entity, in order (page by page).</summary>
    public static async Task<IReadOnlyList<DisclosedEntry>> ReadAllAsync(this AdministrationNode node, EntityKey entity, CancellationToken cancellationToken)
    {
        var all = new List<DisclosedEntry>();
        while (true)
        {
            var page = await node.Store.Entities.ReadAsync(entity, (ulong)all.Count + 1, ApiInput.MaxLimit, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < ApiInput.MaxLimit)
            {
                return all;
            }
        }
    }
}
