using System.Globalization;
using System.Net;
using Azure;
using Azure.Data.Tables;
using Interconnect.Ledger.Entries;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// Partner replication state: one row per partner in partition "partner", compare-and-set with the
/// row's ETag as the version (insert for a state never saved, replace under If-Match otherwise).
/// </summary>
internal sealed class AzurePartnerStateStore(TableClient table) : IPartnerStateStore
{
    private const string Partition = "partner";

    /// <inheritdoc />
    public async Task<PartnerState?> GetAsync(string partner, CancellationToken cancellationToken = default)
    {
        Identifier.Require(partner, "partner administration");
        var found = await table.GetRowAsync(Partition, TableKeys.Escape(partner), cancellationToken).ConfigureAwait(false);
        return found is { } row ? Read(row) : null;
    }

    /// <inheritdoc />
    public async Task<PartnerState> SaveAsync(PartnerState state, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckPartnerState(state);
        var writer = new TableRowWriter(Partition, TableKeys.Escape(state.Partner));
        writer.String("Partner", state.Partner)
            .Int64("AcknowledgedThrough", state.AcknowledgedThrough)
            .Int64("ReceivedThrough", state.ReceivedThrough)
            .String("UpdatedAt", state.UpdatedAt.ToString("O", CultureInfo.InvariantCulture))
            .Boolean("HasCheckpoint", state.LastCheckpoint is not null);
        if (state.LastCheckpoint is not null)
        {
            writer.Chunked("LastCheckpoint", state.LastCheckpoint);
        }

        var what = $"Saving the state of partner {state.Partner}";
        var response = state.Version is null
            ? await table.TryAddAsync(writer.ToEntity(), what, cancellationToken).ConfigureAwait(false)
            : await table.TryReplaceAsync(writer.ToEntity(), new ETag(state.Version), what, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            var etag = response.ETag ?? throw new StorageException($"{what} returned no ETag.");
            return state with { Version = etag.ToString() };
        }

        if (response.IsConflict || response.Status == HttpStatusCode.NotFound)
        {
            // A retried write may have landed before its answer was lost: then what is stored is ours.
            var now = await GetAsync(state.Partner, cancellationToken).ConfigureAwait(false);
            if (response.WasRetried && now is not null && SameContent(now, state))
            {
                return now;
            }

            throw new ConcurrencyConflictException(now is null
                ? $"No state is stored for partner {state.Partner}, but version {state.Version} was expected."
                : $"The state of partner {state.Partner} changed since it was read (version {now.Version}, {state.Version ?? "none"} expected).");
        }

        throw response.ToException(what);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartnerState>> ListAsync(CancellationToken cancellationToken = default)
    {
        var states = new List<PartnerState>();
        await foreach (var row in table.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            states.Add(Read(row));
        }

        return states;
    }

    // Rows saved before ReceivedThrough existed lack it: nothing of the partner's stream was processed then.
    private static PartnerState Read(TableRow row) => new(
        row.String("Partner"),
        row.Int64("AcknowledgedThrough"),
        row.Boolean("HasCheckpoint") ? row.Chunked("LastCheckpoint") : null,
        DateTimeOffset.ParseExact(row.String("UpdatedAt"), "O", CultureInfo.InvariantCulture),
        row.ETag == default ? throw new StorageException($"The state of partner {row.RowKey} came back without its ETag.") : row.ETag.ToString())
    {
        ReceivedThrough = row.Has("ReceivedThrough") ? row.Int64("ReceivedThrough") : 0,
    };

    private static bool SameContent(PartnerState a, PartnerState b) =>
        a.AcknowledgedThrough == b.AcknowledgedThrough
        && a.ReceivedThrough == b.ReceivedThrough
        && a.UpdatedAt == b.UpdatedAt
        && a.UpdatedAt.Offset == b.UpdatedAt.Offset
        && (a.LastCheckpoint ?? []).AsSpan().SequenceEqual(b.LastCheckpoint ?? [])
        && (a.LastCheckpoint is null) == (b.LastCheckpoint is null);
}
