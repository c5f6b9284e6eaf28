using System.Globalization;
using System.Net;
using Interconnect.Ledger.Entries;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// Partner replication state: one row per partner in partition "partner", compare-and-set with the
/// row's ETag as the version (insert for a state never saved, replace under If-Match otherwise).
/// </summary>
internal sealed class AzurePartnerStateStore(TableService service, string table) : IPartnerStateStore
{
    private const string Partition = "partner";

    /// <inheritdoc />
    public async Task<PartnerState?> GetAsync(string partner, CancellationToken cancellationToken = default)
    {
        Identifier.Require(partner, "partner administration");
        var found = await service.GetAsync(table, Partition, TableKeys.Escape(partner), cancellationToken).ConfigureAwait(false);
        return found is { } stored ? Read(stored.Row, stored.ETag) : null;
    }

    /// <inheritdoc />
    public async Task<PartnerState> SaveAsync(PartnerState state, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckPartnerState(state);
        var rowKey = TableKeys.Escape(state.Partner);
        using var writer = new TableRowWriter(Partition, rowKey);
        writer.String("Partner", state.Partner)
            .Int64("AcknowledgedThrough", state.AcknowledgedThrough)
            .Int64("ReceivedThrough", state.ReceivedThrough)
            .String("UpdatedAt", state.UpdatedAt.ToString("O", CultureInfo.InvariantCulture))
            .Boolean("HasCheckpoint", state.LastCheckpoint is not null);
        if (state.LastCheckpoint is not null)
        {
            writer.Chunked("LastCheckpoint", state.LastCheckpoint);
        }

        var row = writer.ToArray();
        var request = state.Version is null
            ? new TableRequest(HttpMethod.Post, table, row)
            : new TableRequest(HttpMethod.Put, TableKeys.EntityResource(table, Partition, rowKey), row, IfMatch: state.Version);
        var response = await service.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            var etag = response.ETag ?? throw new StorageException($"Saving the state of partner {state.Partner} returned no ETag.");
            return state with { Version = etag };
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

        throw response.ToException($"Saving the state of partner {state.Partner}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartnerState>> ListAsync(CancellationToken cancellationToken = default)
    {
        var states = new List<PartnerState>();
        await foreach (var row in service.QueryAsync(table, $"PartitionKey eq '{Partition}'", long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            states.Add(Read(row, row.ETag ?? throw new StorageException("A partner state row came back without its ETag.")));
        }

        return states;
    }

    // Rows saved before ReceivedThrough existed lack it: nothing of the partner's stream was processed then.
    private static PartnerState Read(TableRow row, string etag) => new(
        row.String("Partner"),
        row.Int64("AcknowledgedThrough"),
        row.Boolean("HasCheckpoint") ? row.Chunked("LastCheckpoint") : null,
        DateTimeOffset.ParseExact(row.String("UpdatedAt"), "O", CultureInfo.InvariantCulture),
        etag)
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
