using Interconnect.Node.Api.Ledgers;
using Interconnect.Node.Api.Proofs;

namespace Interconnect.Node.Api.Verification;

/// <summary>
/// What anyone may check about one of our AEO operators: its status, the signed entry that set it
/// (with the public fields and their salts), its inclusion proof and the signed checkpoint it is
/// proven against. Verify the signature with the key from <c>GET /api/node</c>.
/// </summary>
/// <param name="AeoNumber">The AEO number.</param>
/// <param name="Administration">The certifying administration.</param>
/// <param name="Status">"certified", "suspended", "reinstated", "revoked" or "expired" (as signed in the latest entry).</param>
/// <param name="Name">The operator's name.</param>
/// <param name="Programme">The AEO programme, e.g. AEOF.</param>
/// <param name="CertifiedOn">Date of certification.</param>
/// <param name="ValidUntil">End of validity, if limited.</param>
/// <param name="EffectiveAt">When the current status took effect.</param>
/// <param name="LatestEntry">The latest entry, with only its public fields in the clear.</param>
/// <param name="Inclusion">The latest entry's inclusion proof against <paramref name="Checkpoint"/>.</param>
/// <param name="Checkpoint">The signed checkpoint the proof leads to.</param>
public sealed record AeoVerificationResponse(
    string AeoNumber,
    string Administration,
    string Status,
    string? Name,
    string? Programme,
    DateOnly? CertifiedOn,
    DateOnly? ValidUntil,
    DateTimeOffset? EffectiveAt,
    LedgerEntryResponse LatestEntry,
    InclusionProofResponse Inclusion,
    CheckpointResponse Checkpoint);

/// <summary>
/// What anyone may check about a certificate (a shipment document) we issued: its status, the signed
/// entry that last changed it (public fields in the clear), its inclusion proof and checkpoint.
/// </summary>
/// <param name="Number">The document number.</param>
/// <param name="DocumentType">e.g. phytosanitary-certificate.</param>
/// <param name="Status">"issued", "replaced" or "withdrawn".</param>
/// <param name="IssuedOn">Issue date.</param>
/// <param name="ContentDigest">SHA-256 of the document's content (hex), as the issuer computed it.</param>
/// <param name="Replaces">The document this one replaced, if any.</param>
/// <param name="ReplacedBy">The document that replaced this one, if any.</param>
/// <param name="Ucr">The consignment it belongs to.</param>
/// <param name="ShipmentStatus">The consignment's status.</param>
/// <param name="ExportingAdministration">Administration of export.</param>
/// <param name="ImportingAdministration">Administration of import.</param>
/// <param name="Administration">The issuing administration (this node).</param>
/// <param name="Entry">The entry that last changed the document, with only its public fields in the clear.</param>
/// <param name="Inclusion">That entry's inclusion proof against <paramref name="Checkpoint"/>.</param>
/// <param name="Checkpoint">The signed checkpoint the proof leads to.</param>
public sealed record CertificateVerificationResponse(
    string Number,
    string DocumentType,
    string Status,
    DateOnly IssuedOn,
    string ContentDigest,
    string? Replaces,
    string? ReplacedBy,
    string Ucr,
    string ShipmentStatus,
    string? ExportingAdministration,
    string? ImportingAdministration,
    string Administration,
    LedgerEntryResponse Entry,
    InclusionProofResponse Inclusion,
    CheckpointResponse Checkpoint);
