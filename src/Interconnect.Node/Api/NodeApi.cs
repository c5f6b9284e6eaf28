using Interconnect.Grains.Runtime;
using Interconnect.Node.Access;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api;

/// <summary>This administration's node: who it is, how to verify what it signs, its partners and log size.</summary>
/// <param name="AdministrationId">This administration's id.</param>
/// <param name="KeyId">The current signing key's id.</param>
/// <param name="Algorithm">The signature algorithm.</param>
/// <param name="PublicKeyPem">The current verification key (PEM, SubjectPublicKeyInfo).</param>
/// <param name="Partners">Configured partner administrations.</param>
/// <param name="LogSize">Leaves in this administration's Merkle log.</param>
public sealed record NodeResponse(string AdministrationId, string KeyId, string Algorithm, string PublicKeyPem, IReadOnlyList<string> Partners, long LogSize);

/// <summary><c>/api/node</c>.</summary>
public static class NodeApi
{
    /// <summary>Maps <c>GET /api/node</c>.</summary>
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/node", Describe)
            .WithTags("Node")
            .WithName("GetNode")
            .AllowAnonymous()
            .WithSummary("This administration: its id, signing key, partners and Merkle log size.");
        return routes;
    }

    private static async Task<Ok<NodeResponse>> Describe(AdministrationNode node, CancellationToken cancellationToken)
    {
        // One read of the current key: a rotation between separate reads could pair one key's id with another's public key.
        var key = node.Signer.Current
            ?? throw new DomainRuleException("no-signing-key", node.Signer.Unavailable ?? "The node has no signing key.");
        return TypedResults.Ok(new NodeResponse(node.Id, key.KeyId, key.Algorithm.ToString(), key.PublicKey.ToPem(), node.Partners, await node.Log.SizeAsync(cancellationToken).ConfigureAwait(false)));
    }
}
