using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Hosting;
using Interconnect.Node.Replication;
using Interconnect.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Keys;

/// <summary>
/// <c>/api/keys</c>: our key set and the partners' as we hold them, and the live key operations
/// (rotate, add a standby, revoke). Kept in one group so that an authorization policy can be put on
/// the operations alone.
/// </summary>
public static class KeysApi
{
    /// <summary>Maps the key endpoints.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder routes)
    {
        // Key sets are public: anyone checking our signatures needs them.
        var keys = routes.MapGroup("/api/keys").WithTags("Keys");
        keys.MapGet("/", OwnAsync)
            .WithName("GetOwnKeySet")
            .AllowAnonymous()
            .WithSummary("Our key set: each key with its validity, the key that signs now, the keys this node holds, and every key-set event.");
        keys.MapGet("/{administration}", PartnerAsync)
            .WithName("GetPartnerKeySet")
            .AllowAnonymous()
            .WithSummary("A partner's key set as we hold it (empty until its genesis arrives; its configured keys verify until then).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var operations = keys.MapGroup(string.Empty).RequireAuthorization(AccessPolicies.Supervise);
        operations.MapPost("/rotate", RotateAsync)
            .WithName("RotateSigningKey")
            .WithSummary("Replaces the current key by a held key not yet in the set (key.rotated, signed by the current key); entries from then on are signed by the new key.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        operations.MapPost("/standby", StandbyAsync)
            .WithName("AddStandbyKey")
            .WithSummary("Adds a held key to the set (key.added) so that an emergency finds a key authorized before any compromise.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        operations.MapPost("/revoke", RevokeAsync)
            .WithName("RevokeKey")
            .WithSummary("Revokes a key from an effective time (key.revoked); entries it signed from then on are rejected everywhere. Revoking the current key switches to a valid standby, or stops signing.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Ok<KeySetResponse>> OwnAsync(AdministrationNode node, CancellationToken cancellationToken)
    {
        var entries = await node.OwnKeys.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(KeySetResponse.From(
            node.Id, node.OwnKeys.KeySet, entries, node.Time.GetUtcNow(), node.Signer.Current?.KeyId, node.Signer.Unavailable,
            [.. node.OwnKeys.HeldKeys.Select(k => k.KeyId)]));
    }

    private static async Task<Results<Ok<KeySetResponse>, ProblemHttpResult>> PartnerAsync(
        string administration, AdministrationNode node, CancellationToken cancellationToken)
    {
        ApiInput.Identifier(administration, "administration");
        if (administration == node.Id)
        {
            return TypedResults.Ok((await OwnAsync(node, cancellationToken).ConfigureAwait(false)).Value!);
        }

        if (node.Keys.Partner(administration) is not { } keySet)
        {
            return ApiProblems.Missing($"{administration} is not a partner of {node.Id}.");
        }

        var entries = await node.ReadAllAsync(new EntityKey(administration, KeySetFormat.EntityKind, administration), cancellationToken).ConfigureAwait(false);

        return TypedResults.Ok(KeySetResponse.From(
            administration, keySet, entries, node.Time.GetUtcNow(), null, null, []));
    }

    private static async Task<Ok<KeyEventResponse>> RotateAsync(RotateKeyRequest request, AdministrationNode node, ClusterChanges changes, CancellationToken cancellationToken)
    {
        var keyId = ApiInput.Identifier(request?.NewKeyId, "newKeyId");
        var entry = await node.OwnKeys.RotateAsync(keyId, cancellationToken).ConfigureAwait(false);
        // Every silo signs and verifies with the set as it now stands before the answer goes out.
        await changes.KeySetsChangedAsync().ConfigureAwait(false);
        return TypedResults.Ok(KeyEventResponse.From(entry));
    }

    private static async Task<Ok<KeyEventResponse>> StandbyAsync(AddStandbyKeyRequest request, AdministrationNode node, ClusterChanges changes, CancellationToken cancellationToken)
    {
        var keyId = ApiInput.Identifier(request?.KeyId, "keyId");
        var entry = await node.OwnKeys.AddStandbyAsync(keyId, cancellationToken).ConfigureAwait(false);
        // Every silo signs and verifies with the set as it now stands before the answer goes out.
        await changes.KeySetsChangedAsync().ConfigureAwait(false);
        return TypedResults.Ok(KeyEventResponse.From(entry));
    }

    private static async Task<Ok<KeyEventResponse>> RevokeAsync(RevokeKeyRequest request, AdministrationNode node, ClusterChanges changes, CancellationToken cancellationToken)
    {
        var keyId = ApiInput.Identifier(request?.KeyId, "keyId");
        var reason = ApiInput.Required(request!.Reason, "reason").Trim();
        var effectiveAt = request.EffectiveAt ?? node.Time.GetUtcNow();
        var entry = await node.OwnKeys.RevokeAsync(keyId, effectiveAt, reason, cancellationToken).ConfigureAwait(false);
        // Every silo signs and verifies with the set as it now stands before the answer goes out.
        await changes.KeySetsChangedAsync().ConfigureAwait(false);
        return TypedResults.Ok(KeyEventResponse.From(entry));
    }
}
