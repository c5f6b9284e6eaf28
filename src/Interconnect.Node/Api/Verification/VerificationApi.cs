using Interconnect.Node.Access;
using System.Collections.Frozen;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger.Disclosure;
using Interconnect.Node.Api.Ledgers;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Api.Proofs;
using Interconnect.Node.Hosting;
using Interconnect.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Interconnect.Node.Api.Verification;

/// <summary>
/// <c>/api/verify</c>: public checks of an AEO's status and of a certificate by number, each with the
/// signed entry, its inclusion proof and a signed checkpoint, so the answer can be verified offline.
/// </summary>
public static class VerificationApi
{
    // Only these fields are shown in the clear to anyone who asks; reasons, addresses and parties stay digests.
    private static readonly FrozenSet<string> PublicAeoFields =
        FrozenSet.Create(StringComparer.Ordinal, "aeoNumber", "status", "name", "programme", "certifiedOn", "validUntil", "effectiveAt");

    private static readonly FrozenSet<string> PublicDocumentFields =
        FrozenSet.Create(StringComparer.Ordinal, "ucr", "status", "documentType", "number", "issuedOn", "contentDigest", "replaces");

    /// <summary>Maps the verification endpoints.</summary>
    public static IEndpointRouteBuilder MapVerificationApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/verify").WithTags("Verification")
            .AllowAnonymous()
            .RequireRateLimiting(AccessPolicies.VerifyRateLimit);
        group.MapGet("/aeo/{number}", VerifyAeoAsync)
            .WithName("VerifyAeoOperator")
            .WithSummary("Verifies an AEO's status: the signed latest entry, its inclusion proof and a signed checkpoint.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/certificate/{number}", VerifyCertificateAsync)
            .WithName("VerifyCertificate")
            .WithSummary("Verifies a certificate (shipment document) by number: its status, the signed entry that last changed it, proof and checkpoint.")
            .WithDescription("Scans this administration's consignments for the number (cost grows with their count); `ucr` narrows the search to one consignment and settles numbers used on several.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Results<Ok<AeoVerificationResponse>, ProblemHttpResult>> VerifyAeoAsync(
        string number, AdministrationNode node, CancellationToken cancellationToken)
    {
        var entity = node.Key(AeoOperatorGrain.EntityKind, number, "number");
        var head = await node.Store.Entities.GetHeadAsync(entity, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return ApiProblems.Missing($"{node.Id} has not certified AEO {number}.");
        }

        var latest = (await node.Store.Entities.ReadAsync(entity, head.LastSequence, 1, cancellationToken).ConfigureAwait(false))[0];
        var state = await node.Grains.GetGrain<IAeoOperatorGrain>(number).GetState().ConfigureAwait(false);
        var proof = await ProveAsync(node, latest, cancellationToken).ConfigureAwait(false);
        if (proof.Problem is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(new AeoVerificationResponse(
            number,
            node.Id,
            latest["status"] ?? AeoOperatorGrain.StatusName(state.Status),
            state.Name,
            state.Programme,
            state.CertifiedOn,
            state.ValidUntil,
            state.EffectiveAt,
            LedgerEntryResponse.From(latest, PublicAeoFields.Contains),
            proof.Inclusion!,
            proof.Checkpoint!));
    }

    private static async Task<Results<Ok<CertificateVerificationResponse>, ProblemHttpResult>> VerifyCertificateAsync(
        string number, string? ucr, AdministrationNode node, CancellationToken cancellationToken)
    {
        number = Uri.UnescapeDataString(number);
        ApiInput.Identifier(number, "number");
        var only = ApiInput.OptionalIdentifier(ucr, "ucr");
        var matches = new List<(EntityKey Shipment, DisclosedEntry LastChange)>();
        await foreach (var shipment in node.Store.Entities.ListAsync(node.Id, ShipmentGrain.EntityKind, cancellationToken).ConfigureAwait(false))
        {
            if (only is not null && !string.Equals(shipment.Id, only, StringComparison.Ordinal))
            {
                continue;
            }

            var entries = await node.ReadAllAsync(shipment, cancellationToken).ConfigureAwait(false);
            if (entries.LastOrDefault(e => Concerns(e, number)) is { } last)
            {
                matches.Add((shipment, last));
            }
        }

        if (matches.Count == 0)
        {
            return ApiProblems.Missing(only is null
                ? $"{node.Id} has issued no document {number}."
                : $"{node.Id} has issued no document {number} on consignment {only}.");
        }

        if (matches.Count > 1)
        {
            var ambiguous = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Type = ApiProblems.Ambiguous,
                Title = "The number matches several documents.",
                Detail = $"Document number {number} is used on {matches.Count} consignments; pass ucr to choose one.",
            };
            ambiguous.Extensions["candidates"] = matches.Select(m => m.Shipment.Id).ToArray();
            return TypedResults.Problem(ambiguous);
        }

        var (key, entry) = matches[0];
        var state = await node.Grains.GetGrain<IShipmentGrain>(key.Id).GetState().ConfigureAwait(false);
        if (state.Document(number) is not { } document)
        {
            return ApiProblems.Missing($"{node.Id} has issued no document {number}.");
        }

        var proof = await ProveAsync(node, entry, cancellationToken).ConfigureAwait(false);
        if (proof.Problem is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(new CertificateVerificationResponse(
            document.Number,
            document.DocumentType,
            ApiNames.Document(document.Status),
            document.IssuedOn,
            document.ContentDigest,
            document.Replaces,
            document.ReplacedBy,
            state.Ucr,
            ShipmentGrain.StatusName(state.Status),
            state.ExportingAdministration,
            state.ImportingAdministration,
            node.Id,
            LedgerEntryResponse.From(entry, PublicDocumentFields.Contains),
            proof.Inclusion!,
            proof.Checkpoint!));
    }

    /// <summary>Whether <paramref name="entry"/> issued, replaced or withdrew document <paramref name="number"/>.</summary>
    private static bool Concerns(DisclosedEntry entry, string number) => entry.Entry.Body.EntryType switch
    {
        "shipment.document-attached" or "shipment.document-withdrawn" => entry["number"] == number,
        "shipment.document-replaced" => entry["number"] == number || entry["replaces"] == number,
        _ => false,
    };

    private static async Task<(InclusionProofResponse? Inclusion, CheckpointResponse? Checkpoint, ProblemHttpResult? Problem)> ProveAsync(
        AdministrationNode node, DisclosedEntry entry, CancellationToken cancellationToken)
    {
        var checkpoint = await node.Log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var proof = await node.Log.ProveInclusionAsync(entry.Entry.Hash, checkpoint.Checkpoint.TreeSize, cancellationToken).ConfigureAwait(false);
        if (proof is not { } p)
        {
            // Appended by another replica that has not logged it yet (or crashed before): recovery logs it.
            return (null, null, TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ApiProblems.Unavailable,
                Title = "The entry is not in the Merkle log yet.",
                Detail = $"Entry {entry.Entry.Hash} is stored but not yet in {node.Id}'s Merkle log; try again shortly.",
            }));
        }

        return (InclusionProofResponse.From(p.Leaf, p.Proof), CheckpointResponse.From(checkpoint), null);
    }
}
