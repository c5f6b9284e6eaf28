using System.ComponentModel.DataAnnotations;
using Interconnect.Grains.Shipments;

namespace Interconnect.Node.Api.Shipments;

/// <summary>Declare a consignment.</summary>
/// <param name="Ucr">Unique consignment reference (WCO UCR): 5 to 35 upper-case letters, digits or '-'.</param>
/// <param name="ExportingAdministration">Administration of the country of export.</param>
/// <param name="ImportingAdministration">Administration of the country of import.</param>
/// <param name="Consignor">Name of the consignor (exporter).</param>
/// <param name="Consignee">Name of the consignee (importer).</param>
public sealed record DeclareShipmentRequest(
    [property: Required] string? Ucr,
    [property: Required] string? ExportingAdministration,
    [property: Required] string? ImportingAdministration,
    [property: Required] string? Consignor,
    [property: Required] string? Consignee);

/// <summary>Attach a document to the consignment.</summary>
/// <param name="DocumentType">e.g. phytosanitary-certificate, certificate-of-origin, pre-arrival-data.</param>
/// <param name="Number">Document number, unique within the consignment.</param>
/// <param name="IssuedOn">Issue date.</param>
/// <param name="ContentDigest">SHA-256 of the document's content (64 hex digits).</param>
public sealed record AttachDocumentRequest(
    [property: Required] string? DocumentType,
    [property: Required] string? Number,
    [property: Required] DateOnly? IssuedOn,
    [property: Required] string? ContentDigest);

/// <summary>Replace an issued document with a new one of the same type.</summary>
/// <param name="Number">The new document's number.</param>
/// <param name="IssuedOn">The new document's issue date.</param>
/// <param name="ContentDigest">SHA-256 of the new document's content.</param>
/// <param name="Reason">Why it is replaced.</param>
public sealed record ReplaceDocumentRequest(
    [property: Required] string? Number,
    [property: Required] DateOnly? IssuedOn,
    [property: Required] string? ContentDigest,
    [property: Required] string? Reason);

/// <summary>A change that needs only a reason (withdraw a document, place under control, hold).</summary>
/// <param name="Reason">Why; recorded in the ledger.</param>
public sealed record ReasonRequest([property: Required] string? Reason);

/// <summary>A change with optional remarks (release, exit); the body may be omitted.</summary>
/// <param name="Remarks">Remarks recorded in the ledger.</param>
public sealed record RemarksRequest(string? Remarks = null);

/// <summary>Our final business response on a partner's consignment addressed to us.</summary>
/// <param name="Accepted">True to accept, false to reject.</param>
/// <param name="Reason">Why (expected when rejecting).</param>
public sealed record BusinessResponseRequest([property: Required] bool? Accepted, string? Reason = null);

/// <summary>Our business response as sent.</summary>
/// <param name="Partner">The consignment's origin.</param>
/// <param name="Ucr">The consignment.</param>
/// <param name="Decision">"accepted" or "rejected".</param>
/// <param name="Reason">The reason given.</param>
public sealed record BusinessResponseSent(string Partner, string Ucr, string Decision, string? Reason);

/// <summary>A document of a consignment.</summary>
/// <param name="DocumentType">The type.</param>
/// <param name="Number">The number.</param>
/// <param name="IssuedOn">Issue date.</param>
/// <param name="ContentDigest">SHA-256 of the content (hex).</param>
/// <param name="Status">"issued", "replaced" or "withdrawn".</param>
/// <param name="Replaces">The document this one replaced.</param>
/// <param name="ReplacedBy">The document that replaced this one.</param>
/// <param name="Reason">Reason of the replacement or withdrawal.</param>
public sealed record ShipmentDocumentResponse(
    string DocumentType, string Number, DateOnly IssuedOn, string ContentDigest, string Status, string? Replaces, string? ReplacedBy, string? Reason);

/// <summary>Delivery of the consignment's data at one partner (ePhyto hub tracking vocabulary) and its business response.</summary>
/// <param name="Partner">The partner.</param>
/// <param name="State">"pending", "delivered", "delivered-with-warnings", "not-readable" or "failed".</param>
/// <param name="Warnings">Warnings the partner reported.</param>
/// <param name="Decision">"accepted" or "rejected" once the partner responded.</param>
/// <param name="Reason">The partner's reason.</param>
public sealed record PartnerDeliveryResponse(string Partner, string State, string? Warnings, string? Decision, string? Reason);

/// <summary>A consignment as folded from its ledger.</summary>
/// <param name="Ucr">The consignment reference.</param>
/// <param name="Status">"declared", "pre-arrival-data-sent", "under-control", "held", "released", "exited".</param>
/// <param name="ExportingAdministration">Administration of export.</param>
/// <param name="ImportingAdministration">Administration of import.</param>
/// <param name="Consignor">Consignor.</param>
/// <param name="Consignee">Consignee.</param>
/// <param name="Documents">Documents, in the order issued.</param>
/// <param name="Deliveries">Delivery and response per partner.</param>
/// <param name="Reason">Reason of the current control or hold.</param>
/// <param name="Sequence">The last entry's sequence.</param>
/// <param name="LastEntryHash">The last entry's hash (hex).</param>
public sealed record ShipmentResponse(
    string Ucr,
    string Status,
    string? ExportingAdministration,
    string? ImportingAdministration,
    string? Consignor,
    string? Consignee,
    IReadOnlyList<ShipmentDocumentResponse> Documents,
    IReadOnlyList<PartnerDeliveryResponse> Deliveries,
    string? Reason,
    ulong Sequence,
    string? LastEntryHash)
{
    /// <summary>From the grain's view.</summary>
    public static ShipmentResponse From(ShipmentView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(
            view.Ucr,
            ShipmentGrain.StatusName(view.Status),
            view.ExportingAdministration,
            view.ImportingAdministration,
            view.Consignor,
            view.Consignee,
            [.. view.Documents.Select(d => new ShipmentDocumentResponse(
                d.DocumentType, d.Number, d.IssuedOn, d.ContentDigest, ApiNames.Document(d.Status), d.Replaces, d.ReplacedBy, d.Reason))],
            [.. view.Deliveries.Select(d => new PartnerDeliveryResponse(
                d.Partner, ShipmentGrain.DeliveryStateName(d.State), d.Warnings, d.Decision is { } decision ? ShipmentGrain.DecisionName(decision) : null, d.Reason))],
            view.Reason,
            view.Sequence,
            view.LastEntryHash);
    }
}
