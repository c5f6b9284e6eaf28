using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;

namespace Interconnect.Grains.Tests.Runtime;

/// <summary>A replica whose activation is behind storage, step by step (deterministic).</summary>
public sealed class StaleReplicaTests : IAsyncLifetime
{
    private const string Aeo = "NLAEOF0000555";
    private readonly InMemoryNodeStore _store = new();
    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();
    private TestNode _replicaA = null!;
    private TestNode _replicaB = null!;

    public async Task InitializeAsync()
    {
        _replicaA = TestNode.Start("NL", _store, _signer);
        _replicaB = TestNode.Start("NL", _store, _signer, maxConflictRetries: 0);
        await _replicaA.Grain<IAeoOperatorGrain>(Aeo).Certify(new("Example B.V.", "Kade 1", "AEOF", new DateOnly(2026, 1, 1), null));
        await _replicaB.Grain<IAeoOperatorGrain>(Aeo).GetState(); // B is now activated at sequence 1
        await _replicaA.Grain<IAeoOperatorGrain>(Aeo).Amend(new AmendAeoOperator("Example Two B.V.", "Kade 2")); // storage moves to 2
    }

    public async Task DisposeAsync()
    {
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        _signer.Dispose();
    }

    [Fact]
    public async Task Commit_OnAStaleActivationWithoutRetries_GivesUpThenTheNextCallSucceeds()
    {
        var grain = _replicaB.Grain<IAeoOperatorGrain>(Aeo);

        await Assert.ThrowsAsync<GrainConcurrencyException>(() => grain.Amend(new AmendAeoOperator("Example Three B.V.", "Kade 3")));
        var afterGivingUp = await grain.GetState();
        var next = await grain.Amend(new AmendAeoOperator("Example Three B.V.", "Kade 3"));

        Assert.Equal(2UL, afterGivingUp.Sequence);
        Assert.Equal("Example Two B.V.", afterGivingUp.Name);
        Assert.Equal(3UL, next.Sequence);
        Assert.Equal(3UL, (await _store.Entities.GetHeadAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, Aeo)))!.LastSequence);
    }

    [Fact]
    public async Task Commit_OnAStaleActivation_RedecidesFromTheReloadedState()
    {
        await using var replicaC = TestNode.Start("NL", _store, _signer);
        await replicaC.Grain<IAeoOperatorGrain>(Aeo).GetState(); // C at sequence 2
        await _replicaA.Grain<IAeoOperatorGrain>(Aeo).Suspend(new SuspendAeoCertification("audit")); // storage at 3, suspended

        // C still believes the operator is certified; after the conflict it reloads and sees the suspension.
        var error = await Assert.ThrowsAsync<DomainRuleException>(() => replicaC.Grain<IAeoOperatorGrain>(Aeo).Suspend(new SuspendAeoCertification("again")));
        var amended = await replicaC.Grain<IAeoOperatorGrain>(Aeo).Amend(new AmendAeoOperator("Example Four B.V.", "Kade 4"));

        Assert.Equal("aeo-suspended", error.Code);
        Assert.Equal(AeoStatus.Suspended, amended.Status);
        Assert.Equal(4UL, amended.Sequence);
    }
}
