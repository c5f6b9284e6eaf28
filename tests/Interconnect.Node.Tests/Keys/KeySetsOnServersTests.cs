using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Keys;

/// <summary>Key sets on the real servers: across restarts on Azurite (a table prefix per administration), and over RabbitMQ (a virtual host each).</summary>
public sealed class KeySetsOnServersTests
{
    [Fact]
    public async Task AfterARotation_NlRestartsSigningWithTheNewKey_AndJpRebuildsNlsKeySetFromItsStore()
    {
        await using var keys = await KeyMesh.StartAsync(azurite: true);
        var oldKey = keys.Node("NL").Signer.Current!.KeyId;
        using (var client = keys.Client("NL"))
        {
            await client.PostAsync("/api/keys/rotate", new { newKeyId = keys.NextKeyId });
        }

        var first = new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0007101");
        await keys.CertifyAsync(first.Id);
        await keys.WaitEndorsedByJpAsync(first, 1);

        // NL restarts on the same store: the configured key (the old one) is rotated away, so it signs with the new key it holds.
        await keys.Mesh.StopNodeAsync("NL");
        await keys.Mesh.StartNodeAsync("NL");
        var nl = keys.Node("NL");
        Assert.Equal(keys.NextKeyId, nl.Signer.Current!.KeyId);
        Assert.Equal(2UL, nl.OwnKeys.KeySet!.Head!.Sequence);

        // JP restarts: NL's key set is rebuilt from JP's store, and decides (the configured key alone would not verify the new key).
        await keys.Mesh.StopNodeAsync("JP");
        await keys.Mesh.StartNodeAsync("JP");
        var jp = keys.Node("JP");
        Assert.True(jp.Keys.HoldsKeySet("NL"));
        Assert.Equal(keys.NextKeyId, jp.Keys.Partner("NL")!.Find(oldKey)!.Rotation!.SuccessorKeyId);
        Assert.IsType<KeyLookup.NotValidAt>(jp.PartnerKeys.Resolve("NL", oldKey, DateTimeOffset.UtcNow));

        var second = new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0007102");
        await keys.CertifyAsync(second.Id);
        await keys.WaitEndorsedByJpAsync(second, 1);
        foreach (var entity in new[] { first, second })
        {
            var held = await jp.Store.Entities.ReadAsync(entity, 1, 10);
            Assert.Equal(keys.NextKeyId, held[0].Entry.Body.KeyId);
            Assert.True(ChainVerifier.Verify(held.Select(e => e.Entry), jp.PartnerKeys).IsValid);
        }

        Assert.Equal(0, keys.Queries("JP").RejectionsByReason.Values.Sum());
    }

    [Fact]
    public async Task OnRabbitMqAndAzurite_ARotationReachesEveryPartner_AndJpEndorsesEntriesUnderBothKeys()
    {
        await using var keys = await KeyMesh.StartAsync(azurite: true, rabbitMq: true);
        var oldKey = keys.Node("NL").Signer.Current!.KeyId;
        var before = new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0007201");
        await keys.CertifyAsync(before.Id);
        using (var client = keys.Client("NL"))
        {
            await client.PostAsync("/api/keys/rotate", new { newKeyId = keys.NextKeyId });
        }

        var after = new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0007202");
        await keys.CertifyAsync(after.Id);
        await keys.WaitEndorsedByJpAsync(before, 1);
        await keys.WaitEndorsedByJpAsync(after, 1);

        // BE has no MRA with NL, yet holds NL's key set with the rotation: key sets go to every partner.
        await KeyMesh.WaitAsync(() => keys.Node("BE").Keys.Partner("NL")!.Find(oldKey)?.Rotation is not null, "the rotation at BE");
        var jp = keys.Node("JP");
        Assert.Equal(keys.NextKeyId, jp.Keys.Partner("NL")!.Find(oldKey)!.Rotation!.SuccessorKeyId);
        Assert.Equal(oldKey, (await jp.Store.Entities.ReadAsync(before, 1, 1))[0].Entry.Body.KeyId);
        Assert.Equal(keys.NextKeyId, (await jp.Store.Entities.ReadAsync(after, 1, 1))[0].Entry.Body.KeyId);
        Assert.Equal(0, keys.Queries("JP").RejectionsByReason.Values.Sum());
        Assert.Equal(0, keys.Queries("BE").RejectionsByReason.Values.Sum());
    }
}
