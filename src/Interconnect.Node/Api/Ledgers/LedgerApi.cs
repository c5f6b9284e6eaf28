using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Ledgers;

/// <summary><c>/api/ledger</c>: this administration's own entity ledgers, entry by entry, and their endorsements.</summary>
public static class LedgerApi
{
    /// <summary>Maps the ledger reads.</summary>
    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/ledger").WithTags("Ledgers").RequireAuthorization(AccessPolicies.ReadRecords);
        group.MapGet("/{kind}/{id}", ReadAsync)
            .WithName("ReadEntityLedger")
            .WithSummary("Reads entries of one of our entities' signed ledger.")
            .WithDescription("Entries from sequence `from` (default 1), at most `max` (default 100, up to 1000), with every field value, its salt, the signature and the wire form.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{kind}/{id}/endorsements", EndorsementsAsync)
            .WithName("GetEntityEndorsements")
            .WithSummary("Partners' endorsements and rejections of each entry of one of our entities.")
            .WithDescription("Per entry: the receipts partners signed, the quorum the governing MRA requires and whether it is met, and each receipt's latency from our signature.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        return routes;
    }

    private static async Task<Results<Ok<EntityLedgerResponse>, ProblemHttpResult>> ReadAsync(
        string kind, string id, long? from, int? max, AdministrationNode node, CancellationToken cancellationToken)
    {
        ApiInput.Identifier(kind, "kind");
        var entity = node.Key(kind, id, "id");
        var start = ApiInput.Sequence(from, "from");
        var count = ApiInput.Limit(max, "max");
        var head = await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return ApiProblems.Missing($"This administration ({node.Id}) has no {kind} {id}.");
        }

        var entries = start > head.LastSequence
            ? []
            : await node.Store.Entities.ReadAsync(entity, start, count, cancellationToken).ConfigureAwait(false);
        var last = entries.Count == 0 ? head.LastSequence : entries[^1].Entry.Body.Sequence;
        return TypedResults.Ok(new EntityLedgerResponse(
            EntityReference.From(entity),
            head.LastSequence,
            [.. entries.Select(LedgerEntryResponse.From)],
            last < head.LastSequence ? last + 1 : null));
    }

    private static async Task<Results<Ok<EndorsementsResponse>, ProblemHttpResult>> EndorsementsAsync(
        string kind, string id, AdministrationNode node, IMeshQueries mesh, CancellationToken cancellationToken)
    {
        ApiInput.Identifier(kind, "kind");
        var entity = node.Key(kind, id, "id");
        if (await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false) is null)
        {
            return ApiProblems.Missing($"This administration ({node.Id}) has no {kind} {id}.");
        }

        var endorsements = await mesh.GetEndorsementsAsync(entity, cancellationToken).ConfigureAwait(false);
        var signedAt = (await node.ReadAllAsync(entity, cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.Entry.Body.Sequence, e => e.Entry.Body.Timestamp);
        return TypedResults.Ok(new EndorsementsResponse(
            EntityReference.From(entity),
            [.. endorsements.OrderBy(e => e.Sequence).Select(e => From(e, signedAt.TryGetValue(e.Sequence, out var at) ? at : null))]));
    }

    private static EntryEndorsementResponse From(EntryEndorsement endorsement, DateTimeOffset? signedAt) => new(
        endorsement.Sequence,
        endorsement.EntryHash,
        endorsement.EntryType,
        signedAt,
        endorsement.Quorum,
        endorsement.Recognized,
        [.. endorsement.Receipts.Select(r => new ReceiptResponse(
            r.Issuer, r.Verdict, r.Reason, r.IssuedAt, signedAt is { } at ? ApiInput.Milliseconds(at, r.IssuedAt) : null))]);
}
