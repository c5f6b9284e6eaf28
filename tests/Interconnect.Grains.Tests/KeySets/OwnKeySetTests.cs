using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.KeySets;
using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;
using Orleans.TestingHost;

namespace Interconnect.Grains.Tests.KeySets;

public sealed class OwnKeySetTests : IDisposable
{
    private readonly EcdsaP256Signer _first = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _next = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _standby = EcdsaP256Signer.Generate();
    private readonly InMemoryNodeStore _store = new();
    private readonly ManualTime _time = new();

    [Fact]
    public async Task FirstStart_WritesTheGenesisOfTheConfiguredKey_LogsIt_AndSignsWithIt()
    {
        using var node = await StartAsync(_first, _next);

        var stored = await node.Keys.ReadAllAsync();
        Assert.Equal(KeySetFormat.KeyAdded, Assert.Single(stored).Entry.Body.EntryType);
        Assert.Equal(_first.KeyId, stored[0].Entry.Body.KeyId);
        Assert.Equal(1, node.Log.Size);
        Assert.Equal(_first.KeyId, node.Signer.Current!.KeyId);
        Assert.Null(node.Signer.Unavailable);
    }

    [Fact]
    public async Task Rotate_SignsTheRotationWithTheOldKey_ThenStampsWithTheNewKeyFromItsTime()
    {
        using var node = await StartAsync(_first, _next);
        _time.Advance(TimeSpan.FromSeconds(1));
        var before = node.Signer.Stamp(DateTimeOffset.MinValue);

        var rotation = await node.Keys.RotateAsync(_next.KeyId);

        Assert.Equal(_first.KeyId, rotation.Entry.Body.KeyId);
        Assert.True(rotation.Entry.Body.Timestamp > before.Timestamp);
        var after = node.Signer.Stamp(DateTimeOffset.MinValue);
        Assert.Equal(_next.KeyId, after.Key.KeyId);
        Assert.True(after.Timestamp >= rotation.Entry.Body.Timestamp);
        Assert.Equal(_first.KeyId, before.Key.KeyId);
        Assert.Equal(2, node.Log.Size);
    }

    [Fact]
    public void Stamp_WhileARotationIsBeingWritten_DatesTheOldKeysSignaturesBeforeIt()
    {
        var signer = new NodeSigner(_time);
        signer.Use(_first, ManualTime.Start);
        var issued = signer.Stamp(DateTimeOffset.MinValue);

        var rotationAt = signer.BeginEnding(DateTimeOffset.MinValue);
        _time.Advance(TimeSpan.FromSeconds(5));
        var during = signer.Stamp(DateTimeOffset.MinValue);
        signer.Use(_next, rotationAt);
        var after = signer.Stamp(DateTimeOffset.MinValue);

        Assert.True(rotationAt > issued.Timestamp, "the rotation is after every stamp already issued");
        Assert.Equal((_first.KeyId, rotationAt - TimeSpan.FromTicks(10)), (during.Key.KeyId, during.Timestamp));
        Assert.Equal((_next.KeyId, ManualTime.Start.AddSeconds(5)), (after.Key.KeyId, after.Timestamp));
    }

    [Fact]
    public async Task Restart_AfterARotation_SignsWithTheHeldKeyTheStoredSetSaysIsValid()
    {
        using (var node = await StartAsync(_first, _next))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await node.Keys.RotateAsync(_next.KeyId);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        using var restarted = await StartAsync(_first, _next);

        Assert.Equal(_next.KeyId, restarted.Signer.Current!.KeyId);
        Assert.Equal(2UL, restarted.Keys.KeySet!.Head!.Sequence);
    }

    [Fact]
    public async Task Restart_HoldingNoValidKey_StopsSigningAndSaysWhy_WithoutANewGenesis()
    {
        using (var node = await StartAsync(_first, _next))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await node.Keys.RotateAsync(_next.KeyId);
        }

        // Only the old (rotated) key and a key the set never saw are configured now.
        using var restarted = await StartAsync(_first, _standby);

        Assert.Null(restarted.Signer.Current);
        Assert.Contains(_first.KeyId, restarted.Signer.Unavailable, StringComparison.Ordinal);
        Assert.Contains($"{_standby.KeyId} (not in the key set)", restarted.Signer.Unavailable, StringComparison.Ordinal);
        Assert.Equal(2, (await restarted.Keys.ReadAllAsync()).Count);
        var refused = Assert.Throws<DomainRuleException>(() => restarted.Signer.Stamp(DateTimeOffset.MinValue));
        Assert.Equal("no-signing-key", refused.Code);
    }

    [Fact]
    public async Task RevokeTheCurrentKey_SwitchesToTheStandbyFirst_WhichSignsTheRevocation()
    {
        using var node = await StartAsync(_first, _standby);
        _time.Advance(TimeSpan.FromSeconds(1));
        await node.Keys.AddStandbyAsync(_standby.KeyId);
        _time.Advance(TimeSpan.FromSeconds(1));

        var revocation = await node.Keys.RevokeAsync(_first.KeyId, ManualTime.Start.AddMilliseconds(1500), "key escrow breached");

        Assert.Equal(_standby.KeyId, revocation.Entry.Body.KeyId);
        Assert.Equal(_standby.KeyId, node.Signer.Current!.KeyId);
        Assert.IsType<KeyLookup.NotValidAt>(node.Keys.KeySet!.Resolve("NL", _first.KeyId, ManualTime.Start.AddSeconds(2)));
        Assert.IsType<KeyLookup.Found>(node.Keys.KeySet!.Resolve("NL", _first.KeyId, ManualTime.Start.AddSeconds(1)));
    }

    [Fact]
    public async Task RevokeBeforeTheStandbyWasAdded_VoidsTheStandbyToo_SoTheNodeSelfSignsAndStopsSigning()
    {
        using var node = await StartAsync(_first, _standby);
        _time.Advance(TimeSpan.FromSeconds(1));
        await node.Keys.AddStandbyAsync(_standby.KeyId);
        _time.Advance(TimeSpan.FromSeconds(1));

        // The compromise predates the standby: whoever held the key could have added it.
        var revocation = await node.Keys.RevokeAsync(_first.KeyId, ManualTime.Start.AddMilliseconds(500), "key escrow breached");

        Assert.Equal(_first.KeyId, revocation.Entry.Body.KeyId);
        Assert.Null(node.Signer.Current);
        Assert.IsType<KeyLookup.NotValidAt>(node.Keys.KeySet!.Resolve("NL", _standby.KeyId, ManualTime.Start.AddSeconds(2)));
    }

    [Fact]
    public async Task EntitiesSignedAcrossARotation_VerifyAgainstTheKeySetByTime()
    {
        using var node = await StartAsync(_first, _next);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddInterconnectGrains(_ => node.Context));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        {
            var aeo = cluster.Client.GetGrain<IAeoOperatorGrain>("NLAEOF0000001");
            await aeo.Certify(new CertifyAeoOperator("A B.V.", "Kade 1", "AEOF", new DateOnly(2026, 1, 1), null));
            _time.Advance(TimeSpan.FromSeconds(1));
            await node.Keys.RotateAsync(_next.KeyId);
            _time.Advance(TimeSpan.FromSeconds(1));
            await aeo.Suspend(new SuspendAeoCertification("audit"));

            var entries = await _store.Entities.ReadAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, "NLAEOF0000001"), 1, 10);
            Assert.Equal([_first.KeyId, _next.KeyId], entries.Select(e => e.Entry.Body.KeyId));
            Assert.True(ChainVerifier.Verify(entries.Select(e => e.Entry), node.Keys.KeySet!).IsValid);
            Assert.False(ChainVerifier.Verify(entries.Select(e => e.Entry), new StaticKeyResolver([("NL", _first.PublicKey)])).IsValid);
        }
    }

    public void Dispose()
    {
        _first.Dispose();
        _next.Dispose();
        _standby.Dispose();
    }

    private async Task<Started> StartAsync(params ISigner[] held)
    {
        var signer = new NodeSigner(_time);
        var log = new NodeLog("NL", _store.Log, _store.Entities, signer, _time);
        await log.StartAsync();
        var keys = new OwnKeySet("NL", _store, log, signer, held, _time);
        await keys.StartAsync();
        return new Started(keys, signer, log, new AdministrationContext("NL", signer, _store, log, _time));
    }

    private sealed record Started(OwnKeySet Keys, NodeSigner Signer, NodeLog Log, AdministrationContext Context) : IDisposable
    {
        public void Dispose()
        {
            Keys.Dispose();
            Log.Dispose();
        }
    }
}
