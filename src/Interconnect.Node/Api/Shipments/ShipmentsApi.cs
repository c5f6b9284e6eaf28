using Interconnect.Grains.Shipments;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Shipments;

/// <summary><c>/api/shipments</c>: consignments this administration declared, their documents and customs processing (officers).</summary>
public static class ShipmentsApi
{
    private const string Collection = "/api/shipments";

    /// <summary>Maps the shipment endpoints.</summary>
    public static IEndpointRouteBuilder MapShipmentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Collection).WithTags("Shipments");
        group.MapPost("/", DeclareAsync)
            .RequireAuthorization(AccessPolicies.Issue)
            .WithName("DeclareShipment")
            .WithSummary("Declares a consignment (this administration exports or imports it).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        Action(group.MapPost("/{ucr}/documents", (string ucr, AttachDocumentRequest r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.AttachDocument(new AttachShipmentDocument(
                    r.DocumentType!, r.Number!, ApiInput.Required(r.IssuedOn, "issuedOn"), r.ContentDigest!)), ct)),
            "AttachShipmentDocument", "Attaches a document (certificate, pre-arrival data...) to the consignment.");
        Action(group.MapPost("/{ucr}/documents/{number}/replace", (string ucr, string number, ReplaceDocumentRequest r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.ReplaceDocument(new ReplaceShipmentDocument(
                    Uri.UnescapeDataString(number), r.Number!, ApiInput.Required(r.IssuedOn, "issuedOn"), r.ContentDigest!, r.Reason!)), ct)),
            "ReplaceShipmentDocument", "Replaces an issued document with a new one of the same type; the old one becomes replaced.");
        Action(group.MapPost("/{ucr}/documents/{number}/withdraw", (string ucr, string number, ReasonRequest r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.WithdrawDocument(new WithdrawShipmentDocument(Uri.UnescapeDataString(number), r.Reason!)), ct)),
            "WithdrawShipmentDocument", "Withdraws an issued document.");
        Action(group.MapPost("/{ucr}/send", (string ucr, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.MarkPreArrivalSent(new SendPreArrivalData()), ct)),
            "SendPreArrivalData", "Sends the pre-arrival data to the importing administration (the mesh delivers the signed entries).");
        Action(group.MapPost("/{ucr}/control", (string ucr, ReasonRequest r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.PlaceUnderControl(new PlaceShipmentUnderControl(r.Reason!)), ct)),
            "PlaceShipmentUnderControl", "Places the consignment under customs control.");
        Action(group.MapPost("/{ucr}/hold", (string ucr, ReasonRequest r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.Hold(new HoldShipment(r.Reason!)), ct)),
            "HoldShipment", "Holds the consignment after control.");
        Action(group.MapPost("/{ucr}/release", (string ucr, RemarksRequest? r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.Release(new ReleaseShipment(r?.Remarks)), ct)),
            "ReleaseShipment", "Releases the consignment.");
        Action(group.MapPost("/{ucr}/exit", (string ucr, RemarksRequest? r, AdministrationNode node, CancellationToken ct) =>
                ApplyAsync(node, ucr, g => g.Exit(new RecordShipmentExit(r?.Remarks)), ct)),
            "RecordShipmentExit", "Records that the consignment left the customs territory.");
        group.MapGet("/", ListAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("ListShipments")
            .WithSummary("Lists this administration's consignments, ordered by UCR.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{ucr}", GetAsync)
            .RequireAuthorization(AccessPolicies.ReadRecords)
            .WithName("GetShipment")
            .WithSummary("One of this administration's consignments.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static void Action(RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.WithName(name)
            .WithSummary(summary)
            .RequireAuthorization(AccessPolicies.Issue)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<ShipmentResponse>, ProblemHttpResult>> ApplyAsync(
        AdministrationNode node, string ucr, Func<IShipmentGrain, Task<ShipmentView>> change, CancellationToken cancellationToken)
    {
        if (!await node.ExistsAsync(ShipmentGrain.EntityKind, ucr, "ucr", cancellationToken).ConfigureAwait(false))
        {
            return Unknown(node, ucr);
        }

        return TypedResults.Ok(ShipmentResponse.From(await change(node.Grains.GetGrain<IShipmentGrain>(ucr)).ConfigureAwait(false)));
    }

    private static async Task<Created<ShipmentResponse>> DeclareAsync(DeclareShipmentRequest request, AdministrationNode node)
    {
        var ucr = ApiInput.Required(request.Ucr, "ucr");
        var view = await node.Grains.GetGrain<IShipmentGrain>(ucr)
            .Declare(new DeclareShipment(request.ExportingAdministration!, request.ImportingAdministration!, request.Consignor!, request.Consignee!))
            .ConfigureAwait(false);
        return TypedResults.Created(ApiInput.Location(Collection, ucr), ShipmentResponse.From(view));
    }

    private static async Task<Ok<ListPage<ShipmentResponse>>> ListAsync(
        string? after, int? limit, AdministrationNode node, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await node.ListPageAsync(
            ShipmentGrain.EntityKind,
            after,
            limit,
            async id => ShipmentResponse.From(await node.Grains.GetGrain<IShipmentGrain>(id).GetState().ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<ShipmentResponse>, ProblemHttpResult>> GetAsync(
        string ucr, AdministrationNode node, CancellationToken cancellationToken)
    {
        if (!await node.ExistsAsync(ShipmentGrain.EntityKind, ucr, "ucr", cancellationToken).ConfigureAwait(false))
        {
            return Unknown(node, ucr);
        }

        return TypedResults.Ok(ShipmentResponse.From(await node.Grains.GetGrain<IShipmentGrain>(ucr).GetState().ConfigureAwait(false)));
    }

    private static ProblemHttpResult Unknown(AdministrationNode node, string ucr) =>
        ApiProblems.Missing($"{node.Id} has no consignment {ucr}.");
}
