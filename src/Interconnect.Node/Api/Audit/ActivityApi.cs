using System.Globalization;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Audit;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Audit;

/// <summary><c>/api/audit/activity</c>: what a principal did, or what happened to an entity, over a time range.</summary>
public static class ActivityApi
{
    /// <summary>Maps the activity queries.</summary>
    public static IEndpointRouteBuilder MapActivityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit/activity").WithTags("Audit").RequireAuthorization(AccessPolicies.Audit);
        group.MapGet("/principals/{principal}", ByPrincipalAsync)
            .WithName("GetPrincipalActivity")
            .WithSummary("The entries a principal caused, signed in [from, to), in log order.")
            .WithDescription($"Scans at most {ActivityQueries.MaxLeavesPerCall} log leaves per call: follow `next` (pass it as `after`) until it is null, even when a page is empty. `limit` caps the activities per page (default 100, up to 1000).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/entities/{kind}/{id}", ByEntityAsync)
            .WithName("GetEntityActivity")
            .WithSummary("An entity's entries signed in [from, to), with the principal who acted for each.")
            .WithDescription("`origin` is the administration whose entity it is (ours when omitted). Pages of `limit`; pass `next` as `after`.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<Ok<ActivityPage>> ByPrincipalAsync(
        string principal, string? from, string? to, string? after, int? limit, AdministrationNode node, CancellationToken cancellationToken)
    {
        ApiInput.Identifier(principal, "principal");
        var (start, end) = Range(from, to);
        var cursor = Cursor(after);
        return TypedResults.Ok(await new ActivityQueries(node).ByPrincipalAsync(principal, start, end, cursor, ApiInput.Limit(limit), cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<ActivityPage>, ProblemHttpResult>> ByEntityAsync(
        string kind, string id, string? origin, string? from, string? to, string? after, int? limit, AdministrationNode node, CancellationToken cancellationToken)
    {
        var entity = new Storage.EntityKey(
            ApiInput.OptionalIdentifier(origin, "origin") ?? node.Id, ApiInput.Identifier(kind, "kind"), ApiInput.Identifier(id, "id"));
        var (start, end) = Range(from, to);
        var page = await new ActivityQueries(node).ByEntityAsync(entity, start, end, (ulong)Cursor(after), ApiInput.Limit(limit), cancellationToken).ConfigureAwait(false);
        return page is null ? ApiProblems.Missing($"{node.Id} holds no entity {entity}.") : TypedResults.Ok(page);
    }

    private static (DateTimeOffset From, DateTimeOffset To) Range(string? from, string? to)
    {
        var start = ApiInput.Time(from, "from");
        var end = ApiInput.Time(to, "to");
        return start < end ? (start, end) : throw new InvalidCommandException("from", $"from {from} is not before to {to}: the range [from, to) is empty.");
    }

    private static long Cursor(string? after) =>
        string.IsNullOrEmpty(after) ? 0
        : long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new InvalidCommandException("after", $"after \"{after}\" is not a cursor this API returned.");
}
