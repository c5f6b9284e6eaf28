using Interconnect.Node.Access;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Proofs;

/// <summary><c>/api/log</c>: this administration's Merkle log: signed checkpoints, inclusion and consistency proofs.</summary>
public static class ProofsApi
{
    /// <summary>Maps the log endpoints.</summary>
    public static IEndpointRouteBuilder MapProofsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/log").WithTags("Merkle log").RequireAuthorization(AccessPolicies.Proofs);
        group.MapGet("/checkpoint", CheckpointAsync)
            .WithName("SignCheckpoint")
            .WithSummary("Signs and returns a checkpoint of the log as it stands.")
            .WithDescription("One checkpoint per tree size: asking again before the log grows returns the checkpoint already signed for that size.");
        group.MapGet("/inclusion", InclusionAsync)
            .WithName("ProveInclusion")
            .WithSummary("Proves that an entry is in the log of a given size.")
            .WithDescription("`entryHash`: the entry hash (hex). `treeSize`: the size of a checkpoint you hold (from /api/log/checkpoint).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/consistency", ConsistencyAsync)
            .WithName("ProveConsistency")
            .WithSummary("Proves that the log of size `from` is a prefix of the log of size `to`.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static async Task<Ok<CheckpointResponse>> CheckpointAsync(AdministrationNode node, CancellationToken cancellationToken) =>
        TypedResults.Ok(CheckpointResponse.From(await node.Log.CheckpointAsync(cancellationToken).ConfigureAwait(false)));

    private static async Task<Results<Ok<InclusionProofResponse>, ProblemHttpResult>> InclusionAsync(
        string? entryHash, long? treeSize, AdministrationNode node, CancellationToken cancellationToken)
    {
        if (!Hash256.TryFromHex(ApiInput.Required(entryHash, "entryHash"), out var hash))
        {
            throw new InvalidCommandException("entryHash", $"entryHash \"{entryHash}\" is not a SHA-256 hash in hex (64 digits).");
        }

        var size = RequireSize(treeSize, "treeSize", await node.Log.SizeAsync(cancellationToken).ConfigureAwait(false));
        var proven = await node.Log.ProveInclusionAsync(hash, size, cancellationToken).ConfigureAwait(false);
        return proven is { } p
            ? TypedResults.Ok(InclusionProofResponse.From(p.Leaf, p.Proof))
            : ApiProblems.Missing($"Entry {hash} is not among the first {size} leaves of {node.Id}'s log.");
    }

    private static async Task<Ok<ConsistencyProofResponse>> ConsistencyAsync(
        long? from, long? to, AdministrationNode node, CancellationToken cancellationToken)
    {
        var size = await node.Log.SizeAsync(cancellationToken).ConfigureAwait(false);
        var newSize = RequireSize(to, "to", size);
        var oldSize = RequireSize(from, "from", newSize);
        var proof = await node.Log.ProveConsistencyAsync(oldSize, newSize, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ConsistencyProofResponse.From(proof));
    }

    private static long RequireSize(long? value, string field, long max)
    {
        var size = ApiInput.Required(value, field);
        if (max == 0)
        {
            throw new InvalidCommandException(field, $"The log has no leaves yet, so there is nothing to prove at {field} {size}.");
        }

        if (size < 1 || size > max)
        {
            throw new InvalidCommandException(field, $"{field} {size} is out of range: 1 to {max}.");
        }

        return size;
    }
}
