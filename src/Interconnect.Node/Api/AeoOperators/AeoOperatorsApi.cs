using Interconnect.Grains.AeoOperators;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.AeoOperators;

/// <summary><c>/api/aeo-operators</c>: this administration's AEO certifications (officers).</summary>
public static class AeoOperatorsApi
{
    private const string Collection = "/api/aeo-operators";

    /// <summary>Maps the AEO operator endpoints.</summary>
    public static IEndpointRouteBuilder MapAeoOperatorsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Collection).WithTags("AEO operators");
        group.MapPost("/", CertifyAsync)
            .WithName("CertifyAeoOperator")
            .WithSummary("Certifies an operator as AEO (first certification, or again after expiry).")
            .RequireAuthorization(AccessPolicies.Issue)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        Change<AmendAeoOperatorRequest>(group, "amend", "AmendAeoOperator", "Corrects the operator's name or address.",
            (grain, r) => grain.Amend(new AmendAeoOperator(r.Name!, r.Address!)));
        Change<ReasonedChangeRequest>(group, "suspend", "SuspendAeoCertification", "Suspends a certified or reinstated operator.",
            (grain, r) => grain.Suspend(new SuspendAeoCertification(r.Reason!, r.EffectiveAt)));
        Change<ReasonedChangeRequest>(group, "reinstate", "ReinstateAeoCertification", "Reinstates a suspended operator.",
            (grain, r) => grain.Reinstate(new ReinstateAeoCertification(r.Reason!, r.EffectiveAt)));
        Change<ReasonedChangeRequest>(group, "revoke", "RevokeAeoCertification", "Revokes a certification for good.",
            (grain, r) => grain.Revoke(new RevokeAeoCertification(r.Reason!, r.EffectiveAt)), AccessPolicies.Supervise);
        Change<ExpireAeoCertificationRequest>(group, "expire", "ExpireAeoCertification", "Records that the validity period ended.",
            (grain, r) => grain.Expire(new ExpireAeoCertification(ApiInput.Required(r.ExpiredOn, "expiredOn"))));
        group.MapGet("/", ListAsync)
            .WithName("ListAeoOperators")
            .WithSummary("Lists this administration's AEO operators, ordered by number.")
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithDescription("Pages of `limit` (default 100, up to 1000); pass the returned `next` as `after` for the next page.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{number}", GetAsync)
            .WithName("GetAeoOperator")
            .WithSummary("One of this administration's AEO operators.")
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static void Change<TRequest>(
        RouteGroupBuilder group, string action, string name, string summary, Func<IAeoOperatorGrain, TRequest, Task<AeoOperatorView>> change, string policy = AccessPolicies.Issue)
        where TRequest : class =>
        group.MapPost($"/{{number}}/{action}", async Task<Results<Ok<AeoOperatorResponse>, ProblemHttpResult>> (
                string number, TRequest request, AdministrationNode node, CancellationToken cancellationToken) =>
            {
                if (!await node.ExistsAsync(AeoOperatorGrain.EntityKind, number, "number", cancellationToken).ConfigureAwait(false))
                {
                    return Unknown(node, number);
                }

                var view = await change(node.Grains.GetGrain<IAeoOperatorGrain>(number), request).ConfigureAwait(false);
                return TypedResults.Ok(AeoOperatorResponse.From(view));
            })
            .WithName(name)
            .WithSummary(summary)
            .RequireAuthorization(policy)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<AeoOperatorResponse>> CertifyAsync(CertifyAeoOperatorRequest request, AdministrationNode node)
    {
        var number = ApiInput.Required(request.AeoNumber, "aeoNumber");
        var certifiedOn = ApiInput.Required(request.CertifiedOn, "certifiedOn");
        var view = await node.Grains.GetGrain<IAeoOperatorGrain>(number)
            .Certify(new CertifyAeoOperator(request.Name!, request.Address!, request.Programme!, certifiedOn, request.ValidUntil))
            .ConfigureAwait(false);
        return TypedResults.Created(ApiInput.Location(Collection, number), AeoOperatorResponse.From(view));
    }

    private static async Task<Ok<ListPage<AeoOperatorResponse>>> ListAsync(
        string? after, int? limit, AdministrationNode node, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await node.ListPageAsync(
            AeoOperatorGrain.EntityKind,
            after,
            limit,
            async id => AeoOperatorResponse.From(await node.Grains.GetGrain<IAeoOperatorGrain>(id).GetState().ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<AeoOperatorResponse>, ProblemHttpResult>> GetAsync(
        string number, AdministrationNode node, CancellationToken cancellationToken)
    {
        if (!await node.ExistsAsync(AeoOperatorGrain.EntityKind, number, "number", cancellationToken).ConfigureAwait(false))
        {
            return Unknown(node, number);
        }

        return TypedResults.Ok(AeoOperatorResponse.From(await node.Grains.GetGrain<IAeoOperatorGrain>(number).GetState().ConfigureAwait(false)));
    }

    private static ProblemHttpResult Unknown(AdministrationNode node, string number) =>
        ApiProblems.Missing($"{node.Id} has no AEO operator {number}.");
}
