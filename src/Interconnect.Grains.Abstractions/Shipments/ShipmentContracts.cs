using Interconnect.Ledger.Disclosure;

namespace Interconnect.Grains.Shipments;

/// <summary>Where a consignment is in customs processing.</summary>
[GenerateSerializer]
public enum ShipmentStatus
{
    /// <summary>Not declared yet.</summary>
    None,

    /// <summary>Declared for export.</summary>
    Declared,

    /// <summary>Pre-arrival data sent to the importing administration.</summary>
    PreArrivalDataSent,

    /// <summary>Under customs control (documentary or physical checks).</summary>
    UnderControl,

    /// <summary>Held after control; may still be released.</summary>
    Held,

    /// <summary>Released.</summary>
    Released,

    /// <summary>Exited; final.</summary>
    Exited,
}

/// <summary>Status of a shipment document (ePhyto envelope vocabulary).</summary>
[GenerateSerializer]
public enum DocumentStatus
{
    /// <summary>Issued and valid.</summary>
    Issued,

    /// <summary>Superseded by a replacement document.</summary>
    Replaced,

    /// <summary>Withdrawn (cancelled) by the issuer.</summary>
    Withdrawn,
}

/// <summary>Delivery state of a shipment's data to a partner (ePhyto hub tracking vocabulary).</summary>
[GenerateSerializer]
public enum DeliveryState
{
    /// <summary>Sent, not yet confirmed.</summary>
    Pending,

    /// <summary>Delivered and readable.</summary>
    Delivered,

    /// <summary>Delivered; the receiver reported warnings.</summary>
    DeliveredWithWarnings,

    /// <summary>Delivered but the receiver could not read it.</summary>
    NotReadable,

    /// <summary>Delivery failed.</summary>
    Failed,
}

/// <summary>A partner's final business response to a shipment's data.</summary>
[GenerateSerializer]
public enum BusinessDecision
{
    /// <summary>Accepted.</summary>
    Accepted,

    /// <summary>Rejected, with a reason.</summary>
    Rejected,
}

/// <summary>Declare a consignment.</summary>
/// <param name="ExportingAdministration">Administration of the country of export.</param>
/// <param name="ImportingAdministration">Administration of the country of import.</param>
/// <param name="Consignor">Name of the consignor (exporter).</param>
/// <param name="Consignee">Name of the consignee (importer).</param>
[GenerateSerializer, Immutable]
public sealed record DeclareShipment([property: Id(0)] string ExportingAdministration, [property: Id(1)] string ImportingAdministration, [property: Id(2)] string Consignor, [property: Id(3)] string Consignee);

/// <summary>Attach a document to the consignment.</summary>
/// <param name="DocumentType">e.g. phytosanitary-certificate, certificate-of-origin, pre-arrival-data.</param>
/// <param name="Number">Document number, unique within the consignment.</param>
/// <param name="IssuedOn">Issue date.</param>
/// <param name="ContentDigest">Hex SHA-256 of the document's content, computed by the issuer.</param>
[GenerateSerializer, Immutable]
public sealed record AttachShipmentDocument([property: Id(0)] string DocumentType, [property: Id(1)] string Number, [property: Id(2)] DateOnly IssuedOn, [property: Id(3)] string ContentDigest);

/// <summary>Replace an issued document with a new one of the same type; the old one becomes replaced.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplaceShipmentDocument([property: Id(0)] string ReplacedNumber, [property: Id(1)] string Number, [property: Id(2)] DateOnly IssuedOn, [property: Id(3)] string ContentDigest, [property: Id(4)] string Reason);

/// <summary>Withdraw an issued document.</summary>
[GenerateSerializer, Immutable]
public sealed record WithdrawShipmentDocument([property: Id(0)] string Number, [property: Id(1)] string Reason);

/// <summary>Record that the pre-arrival data went to the importing administration.</summary>
[GenerateSerializer, Immutable]
public sealed record SendPreArrivalData;

/// <summary>Place the consignment under customs control.</summary>
[GenerateSerializer, Immutable]
public sealed record PlaceShipmentUnderControl([property: Id(0)] string Reason);

/// <summary>Hold the consignment after control.</summary>
[GenerateSerializer, Immutable]
public sealed record HoldShipment([property: Id(0)] string Reason);

/// <summary>Release the consignment.</summary>
[GenerateSerializer, Immutable]
public sealed record ReleaseShipment([property: Id(0)] string? Remarks = null);

/// <summary>Record that the consignment left the customs territory.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordShipmentExit([property: Id(0)] string? Remarks = null);

/// <summary>Record the delivery state of the shipment's data at a partner.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordShipmentDelivery([property: Id(0)] string Partner, [property: Id(1)] DeliveryState State, [property: Id(2)] string? Warnings = null);

/// <summary>Record a partner's final business response.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordShipmentBusinessResponse([property: Id(0)] string Partner, [property: Id(1)] BusinessDecision Decision, [property: Id(2)] string? Reason = null);

/// <summary>A document of a consignment as folded from the ledger.</summary>
[GenerateSerializer, Immutable]
public sealed record ShipmentDocumentView(
    [property: Id(0)] string DocumentType,
    [property: Id(1)] string Number,
    [property: Id(2)] DateOnly IssuedOn,
    [property: Id(3)] string ContentDigest,
    [property: Id(4)] DocumentStatus Status,
    [property: Id(5)] string? Replaces,
    [property: Id(6)] string? ReplacedBy,
    [property: Id(7)] string? Reason);

/// <summary>Delivery and business response at one partner.</summary>
[GenerateSerializer, Immutable]
public sealed record PartnerDeliveryView([property: Id(0)] string Partner, [property: Id(1)] DeliveryState State, [property: Id(2)] string? Warnings, [property: Id(3)] BusinessDecision? Decision, [property: Id(4)] string? Reason);

/// <summary>The state of a consignment as folded from its ledger.</summary>
[GenerateSerializer, Immutable]
public sealed record ShipmentView(
    [property: Id(0)] string Ucr,
    [property: Id(1)] ShipmentStatus Status,
    [property: Id(2)] string? ExportingAdministration,
    [property: Id(3)] string? ImportingAdministration,
    [property: Id(4)] string? Consignor,
    [property: Id(5)] string? Consignee,
    [property: Id(6)] IReadOnlyList<ShipmentDocumentView> Documents,
    [property: Id(7)] IReadOnlyList<PartnerDeliveryView> Deliveries,
    [property: Id(8)] string? Reason,
    [property: Id(9)] ulong Sequence,
    [property: Id(10)] string? LastEntryHash)
{
    /// <summary>The document with that number, or null.</summary>
    public ShipmentDocumentView? Document(string number) =>
        Documents.FirstOrDefault(d => string.Equals(d.Number, number, StringComparison.Ordinal));

    /// <summary>The delivery record of a partner, or null.</summary>
    public PartnerDeliveryView? DeliveryTo(string partner) =>
        Deliveries.FirstOrDefault(d => string.Equals(d.Partner, partner, StringComparison.Ordinal));
}

/// <summary>A consignment (keyed by its unique consignment reference, e.g. WCO UCR).</summary>
#pragma warning disable CA1716 // Grain interfaces are called from C#; the names are the customs terms (VB keywords are no concern).
public interface IShipmentGrain : IGrainWithStringKey
{
    /// <summary>Declares the consignment.</summary>
    Task<ShipmentView> Declare(DeclareShipment command);

    /// <summary>Attaches a document.</summary>
    Task<ShipmentView> AttachDocument(AttachShipmentDocument command);

    /// <summary>Replaces an issued document.</summary>
    Task<ShipmentView> ReplaceDocument(ReplaceShipmentDocument command);

    /// <summary>Withdraws an issued document.</summary>
    Task<ShipmentView> WithdrawDocument(WithdrawShipmentDocument command);

    /// <summary>Records that pre-arrival data went to the importer.</summary>
    Task<ShipmentView> MarkPreArrivalSent(SendPreArrivalData command);

    /// <summary>Places the consignment under control.</summary>
    Task<ShipmentView> PlaceUnderControl(PlaceShipmentUnderControl command);

    /// <summary>Holds the consignment.</summary>
    Task<ShipmentView> Hold(HoldShipment command);

    /// <summary>Releases the consignment.</summary>
    Task<ShipmentView> Release(ReleaseShipment command);

    /// <summary>Records the exit of the consignment.</summary>
    Task<ShipmentView> Exit(RecordShipmentExit command);

    /// <summary>Records a delivery state at a partner.</summary>
    Task<ShipmentView> RecordDelivery(RecordShipmentDelivery command);

    /// <summary>Records a partner's business response.</summary>
    Task<ShipmentView> RecordBusinessResponse(RecordShipmentBusinessResponse command);

    /// <summary>The current state.</summary>
    Task<ShipmentView> GetState();

    /// <summary>The consignment's ledger entries with all fields, from a sequence on.</summary>
    Task<IReadOnlyList<DisclosedEntry>> GetLedger(ulong fromSequence, int maxCount);
}
#pragma warning restore CA1716
