using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.MraAgreements;

/// <summary><c>/api/mras</c>: Mutual Recognition Arrangements this administration proposed or accepted (officers).</summary>
public static class MraAgreementsApi
{
    private const string Collection = "/api/mras";

    /// <summary>Maps the MRA endpoints.</summary>
    public static IEndpointRouteBuilder MapMraAgreementsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Collection).WithTags("MRAs");
        group.MapPost("/", ProposeAsync)
            .RequireAuthorization(AccessPolicies.Supervise)
            .WithName("ProposeMra")
            .WithSummary("Proposes an MRA to the other parties; it enters into force when every party's signed acceptance is recorded.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/accept", AcceptAsync)
            .RequireAuthorization(AccessPolicies.Supervise)
            .WithName("AcceptMra")
            .WithSummary("Accepts an MRA that a partner proposed to us (its proposal must have reached this node).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status501NotImplemented)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        Change(group, "suspend", "SuspendMra", "Suspends an MRA in force.", (grain, r) => grain.Suspend(new SuspendMraAgreement(r.Reason!, r.EffectiveAt)));
        Change(group, "resume", "ResumeMra", "Resumes a suspended MRA.", (grain, r) => grain.Resume(new ResumeMraAgreement(r.Reason!, r.EffectiveAt)));
        Change(group, "terminate", "TerminateMra", "Terminates an MRA, or withdraws a proposal, for good.",
            (grain, r) => grain.Terminate(new TerminateMraAgreement(r.Reason!, r.EffectiveAt)));
        group.MapGet("/", ListAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("ListMras")
            .WithSummary("Lists the MRAs in this administration's ledger (proposed by us, or accepted by us), ordered by id.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("GetMra")
            .WithSummary("One MRA in this administration's ledger.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static void Change(
        RouteGroupBuilder group, string action, string name, string summary, Func<IMraAgreementGrain, ReasonedChangeRequest, Task<MraAgreementView>> change) =>
        group.MapPost($"/{{id}}/{action}", async Task<Results<Ok<MraAgreementResponse>, ProblemHttpResult>> (
                string id, ReasonedChangeRequest request, AdministrationNode node, CancellationToken cancellationToken) =>
            {
                var entity = node.Key(MraAgreementGrain.EntityKind, id, "id");
                var first = await node.FirstEntryAsync(entity, cancellationToken).ConfigureAwait(false);
                if (first is null)
                {
                    return Unknown(node, id);
                }

                if (IsAcceptance(first))
                {
                    throw new DomainRuleException(
                        "mra-not-proposer", $"MRA {id} was proposed by a partner and accepted by {node.Id}; only its proposer can {action} it.");
                }

                var view = await change(node.Grains.GetGrain<IMraAgreementGrain>(id), request).ConfigureAwait(false);
                return TypedResults.Ok(MraAgreementResponse.From(view));
            })
            .RequireAuthorization(AccessPolicies.Supervise)
            .WithName(name)
            .WithSummary(summary)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<MraAgreementResponse>> ProposeAsync(ProposeMraRequest request, AdministrationNode node)
    {
        var id = ApiInput.Required(request.AgreementId, "agreementId");
        var quorum = ApiInput.Required(request.EndorsementQuorum, "endorsementQuorum");
        var view = await node.Grains.GetGrain<IMraAgreementGrain>(id)
            .Propose(new ProposeMraAgreement(request.Title!, request.Parties!, request.AeoProgrammes!, request.DocumentTypes!, request.SharingPolicies!, quorum))
            .ConfigureAwait(false);
        return TypedResults.Created(ApiInput.Location(Collection, id), MraAgreementResponse.From(view));
    }

    private static async Task<Ok<MraAgreementResponse>> AcceptAsync(string id, IMeshCommands mesh, CancellationToken cancellationToken)
    {
        ApiInput.Identifier(id, "id");
        var view = await mesh.AcceptMraAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(MraAgreementResponse.From(view, MraAgreementResponse.Acceptor));
    }

    private static async Task<Ok<ListPage<MraAgreementResponse>>> ListAsync(
        string? after, int? limit, AdministrationNode node, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await node.ListPageAsync(
            MraAgreementGrain.EntityKind, after, limit, id => DescribeAsync(node, id, cancellationToken), cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<MraAgreementResponse>, ProblemHttpResult>> GetAsync(
        string id, AdministrationNode node, CancellationToken cancellationToken) =>
        await DescribeAsync(node, id, cancellationToken).ConfigureAwait(false) is { } mra ? TypedResults.Ok(mra) : Unknown(node, id);

    /// <summary>Our chain for the agreement: our proposal (folded by its grain) or our acceptance of a partner's; null when we have none.</summary>
    private static async Task<MraAgreementResponse?> DescribeAsync(AdministrationNode node, string id, CancellationToken cancellationToken)
    {
        var entity = node.Key(MraAgreementGrain.EntityKind, id, "id");
        var first = await node.FirstEntryAsync(entity, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return null;
        }

        if (IsAcceptance(first))
        {
            var head = await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
            var last = head is null || head.LastSequence == 1
                ? first
                : (await node.Store.Entities.ReadAsync(entity, head.LastSequence, 1, cancellationToken).ConfigureAwait(false))[0];
            return MraAgreementResponse.FromAcceptance(id, first, last);
        }

        return MraAgreementResponse.From(await node.Grains.GetGrain<IMraAgreementGrain>(id).GetState().ConfigureAwait(false));
    }

    // An acceptance of a partner's proposal sits in our own ledger under the agreement's id; the MRA grain folds only proposals.
    private static bool IsAcceptance(Ledger.Disclosure.DisclosedEntry first) =>
        string.Equals(first.Entry.Body.EntryType, MraAcceptance.EntryType, StringComparison.Ordinal);

    private static ProblemHttpResult Unknown(AdministrationNode node, string id) =>
        ApiProblems.Missing($"{node.Id}'s ledger holds no MRA {id}; a partner's proposal is under /api/partners/{{partner}}/shared/mra-agreement/{id}.");
}
