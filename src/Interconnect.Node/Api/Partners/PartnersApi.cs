using Interconnect.Node.Access;
using Interconnect.Grains.Shipments;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Api.Shipments;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Partners;

/// <summary>
/// <c>/api/partners</c> and <c>/api/mesh</c>: links with partner administrations, what they shared
/// with us (only the fields their MRA policy discloses to us), our responses to them, and alarms.
/// </summary>
public static class PartnersApi
{
    /// <summary>Maps the partner and mesh endpoints.</summary>
    public static IEndpointRouteBuilder MapPartnersApi(this IEndpointRouteBuilder routes)
    {
        var partners = routes.MapGroup("/api/partners").WithTags("Partners");
        partners.MapGet("/", LinksAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("ListPartnerLinks")
            .WithSummary("Every configured partner's link: connection, backlog, acknowledged and received log positions, lag, alarm.")
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        partners.MapGet("/{partner}/shared", ListSharedAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("ListSharedEntities")
            .WithSummary("What a partner shared with us, optionally of one `kind` (aeo-operator, mra-agreement, shipment).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        partners.MapGet("/{partner}/shared/{kind}/{id}", GetSharedAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("GetSharedEntity")
            .WithSummary("One entity a partner shared with us: the fields disclosed to us, those withheld, and when it was signed and received.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        partners.MapPost("/{partner}/shipments/{ucr}/response", RespondAsync)
            .RequireAuthorization(AccessPolicies.Issue)
            .WithName("RespondToPartnerShipment")
            .WithSummary("Sends our final business response (accept or reject) on a partner's consignment addressed to us.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status501NotImplemented)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        routes.MapGet("/api/mesh/alarms", Alarms)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithTags("Partners")
            .WithName("ListMeshAlarms")
            .WithSummary("Alarms raised since start (checkpoint inconsistencies, forks), newest first; never cleared silently.");
        return routes;
    }

    private static async Task<Ok<IReadOnlyList<PartnerLinkStatus>>> LinksAsync(IMeshQueries mesh, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mesh.GetLinksAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<Results<Ok<IReadOnlyList<SharedEntityView>>, ProblemHttpResult>> ListSharedAsync(
        string partner, string? kind, AdministrationNode node, IMeshQueries mesh, CancellationToken cancellationToken)
    {
        if (UnknownPartner(node, partner) is { } unknown)
        {
            return unknown;
        }

        var only = ApiInput.OptionalIdentifier(kind, "kind");
        return TypedResults.Ok(await mesh.ListSharedAsync(partner, only, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<SharedEntityView>, ProblemHttpResult>> GetSharedAsync(
        string partner, string kind, string id, AdministrationNode node, IMeshQueries mesh, CancellationToken cancellationToken)
    {
        if (UnknownPartner(node, partner) is { } unknown)
        {
            return unknown;
        }

        ApiInput.Identifier(kind, "kind");
        ApiInput.Identifier(id, "id");
        return await mesh.GetSharedAsync(partner, kind, id, cancellationToken).ConfigureAwait(false) is { } shared
            ? TypedResults.Ok(shared)
            : ApiProblems.Missing($"{partner} has shared no {kind} {id} with {node.Id}.");
    }

    private static async Task<Results<Accepted<BusinessResponseSent>, ProblemHttpResult>> RespondAsync(
        string partner, string ucr, BusinessResponseRequest request, AdministrationNode node, IMeshCommands mesh, CancellationToken cancellationToken)
    {
        if (UnknownPartner(node, partner) is { } unknown)
        {
            return unknown;
        }

        ApiInput.Identifier(ucr, "ucr");
        var accepted = ApiInput.Required(request.Accepted, "accepted");
        await mesh.RespondToShipmentAsync(partner, ucr, accepted, request.Reason, cancellationToken).ConfigureAwait(false);
        var decision = ShipmentGrain.DecisionName(accepted ? BusinessDecision.Accepted : BusinessDecision.Rejected);
        return TypedResults.Accepted(
            $"/api/partners/{Uri.EscapeDataString(partner)}/shared/{ShipmentGrain.EntityKind}/{Uri.EscapeDataString(ucr)}",
            new BusinessResponseSent(partner, ucr, decision, request.Reason));
    }

    private static Ok<IReadOnlyList<MeshAlarm>> Alarms(IMeshQueries mesh) => TypedResults.Ok(mesh.Alarms);

    private static ProblemHttpResult? UnknownPartner(AdministrationNode node, string partner) =>
        node.IsPartner(partner)
            ? null
            : ApiProblems.Missing(node.Partners.Count == 0
                ? $"{partner} is not a partner of {node.Id}, which has no partners configured."
                : $"{partner} is not a partner of {node.Id}; its partners are {string.Join(", ", node.Partners)}.");
}
