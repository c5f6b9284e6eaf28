using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.Tests.AeoOperators;

public sealed class AeoOperatorGrainTests : IAsyncLifetime
{
    private const string Aeo = "NLAEOF0000123";
    private static readonly DateOnly CertifiedOn = new(2026, 1, 15);
    private static readonly DateOnly ValidUntil = new(2029, 1, 15);

    private readonly TestNode _node = TestNode.Start();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private IAeoOperatorGrain Grain(string key = Aeo) => _node.Grain<IAeoOperatorGrain>(key);

    private static CertifyAeoOperator Certification(DateOnly? validUntil = null) =>
        new("Example Logistics B.V.", "Havenstraat 1, Rotterdam", "AEOF", CertifiedOn, validUntil ?? ValidUntil);

    private async Task<IAeoOperatorGrain> InStatus(AeoStatus status)
    {
        var grain = Grain();
        switch (status)
        {
            case AeoStatus.None:
                break;
            case AeoStatus.Certified:
                await grain.Certify(Certification());
                break;
            case AeoStatus.Suspended:
                await grain.Certify(Certification());
                await grain.Suspend(new SuspendAeoCertification("audit findings"));
                break;
            case AeoStatus.Reinstated:
                await grain.Certify(Certification());
                await grain.Suspend(new SuspendAeoCertification("audit findings"));
                await grain.Reinstate(new ReinstateAeoCertification("findings resolved"));
                break;
            case AeoStatus.Revoked:
                await grain.Certify(Certification());
                await grain.Revoke(new RevokeAeoCertification("fraud"));
                break;
            case AeoStatus.Expired:
                await grain.Certify(Certification());
                await grain.Expire(new ExpireAeoCertification(ValidUntil));
                break;
        }

        Assert.Equal(status, (await grain.GetState()).Status);
        return grain;
    }

    private async Task AssertRefused(Func<IAeoOperatorGrain, Task> act, AeoStatus status, string code)
    {
        var grain = await InStatus(status);
        var before = await _node.HeadAsync(AeoOperatorGrain.EntityKind, Aeo);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => act(grain));

        Assert.Equal(code, error.Code);
        Assert.Equal(before, await _node.HeadAsync(AeoOperatorGrain.EntityKind, Aeo));
        Assert.Equal(status, (await grain.GetState()).Status);
    }

    [Fact]
    public async Task Lifecycle_CertifySuspendReinstateAmendRevoke_FoldsEachStepAndChainVerifies()
    {
        var grain = Grain();

        var certified = await grain.Certify(Certification());
        var suspended = await grain.Suspend(new SuspendAeoCertification("audit findings"));
        var reinstated = await grain.Reinstate(new ReinstateAeoCertification("findings resolved"));
        var amended = await grain.Amend(new AmendAeoOperator("Example Logistics Europe B.V.", "Kade 2, Rotterdam"));
        var revoked = await grain.Revoke(new RevokeAeoCertification("fraud"));

        Assert.Equal(AeoStatus.Certified, certified.Status);
        Assert.Equal(AeoStatus.Suspended, suspended.Status);
        Assert.Equal("audit findings", suspended.Reason);
        Assert.Equal(AeoStatus.Reinstated, reinstated.Status);
        Assert.Equal(AeoStatus.Reinstated, amended.Status);
        Assert.Equal("Example Logistics Europe B.V.", amended.Name);
        Assert.Equal(AeoStatus.Revoked, revoked.Status);
        Assert.Equal("Example Logistics Europe B.V.", revoked.Name);
        Assert.Equal(5UL, revoked.Sequence);
        var ledger = await grain.GetLedger(1, 100);
        Assert.Equal(["aeo.certified", "aeo.suspended", "aeo.reinstated", "aeo.amended", "aeo.revoked"], ledger.Select(e => e.Entry.Body.EntryType));
        var keys = new StaticKeyResolver([("NL", _node.Context.Signer.PublicKey)]);
        Assert.True(ChainVerifier.Verify(ledger.Select(e => e.Entry), keys).IsValid);
        Assert.Equal(revoked.LastEntryHash, ledger[^1].Entry.Hash.ToString());
    }

    [Fact]
    public async Task Expire_OnValidUntil_ExpiresAndAllowsRecertification()
    {
        var grain = await InStatus(AeoStatus.Expired);

        var again = await grain.Certify(Certification(new DateOnly(2032, 1, 1)));

        Assert.Equal(AeoStatus.Certified, again.Status);
        Assert.Equal(new DateOnly(2032, 1, 1), again.ValidUntil);
        Assert.Equal(3UL, again.Sequence);
    }

    [Theory]
    [InlineData(AeoStatus.Certified, "aeo-certified")]
    [InlineData(AeoStatus.Suspended, "aeo-suspended")]
    [InlineData(AeoStatus.Reinstated, "aeo-reinstated")]
    [InlineData(AeoStatus.Revoked, "aeo-revoked")]
    public Task Certify_WhenNotNewOrExpired_IsRefused(AeoStatus status, string code) =>
        AssertRefused(g => g.Certify(Certification()), status, code);

    [Theory]
    [InlineData(AeoStatus.None, "aeo-not-certified")]
    [InlineData(AeoStatus.Suspended, "aeo-suspended")]
    [InlineData(AeoStatus.Revoked, "aeo-revoked")]
    [InlineData(AeoStatus.Expired, "aeo-expired")]
    public Task Suspend_WhenNotValid_IsRefused(AeoStatus status, string code) =>
        AssertRefused(g => g.Suspend(new SuspendAeoCertification("audit")), status, code);

    [Theory]
    [InlineData(AeoStatus.None, "aeo-not-certified")]
    [InlineData(AeoStatus.Certified, "aeo-certified")]
    [InlineData(AeoStatus.Reinstated, "aeo-reinstated")]
    [InlineData(AeoStatus.Revoked, "aeo-revoked")]
    [InlineData(AeoStatus.Expired, "aeo-expired")]
    public Task Reinstate_WhenNotSuspended_IsRefused(AeoStatus status, string code) =>
        AssertRefused(g => g.Reinstate(new ReinstateAeoCertification("resolved")), status, code);

    [Theory]
    [InlineData(AeoStatus.None, "aeo-not-certified")]
    [InlineData(AeoStatus.Revoked, "aeo-revoked")]
    [InlineData(AeoStatus.Expired, "aeo-expired")]
    public Task Revoke_WhenNotCurrent_IsRefused(AeoStatus status, string code) =>
        AssertRefused(g => g.Revoke(new RevokeAeoCertification("fraud")), status, code);

    [Theory]
    [InlineData(AeoStatus.None, "aeo-not-certified")]
    [InlineData(AeoStatus.Revoked, "aeo-revoked")]
    [InlineData(AeoStatus.Expired, "aeo-expired")]
    public Task Expire_WhenNotCurrent_IsRefused(AeoStatus status, string code) =>
        AssertRefused(g => g.Expire(new ExpireAeoCertification(ValidUntil)), status, code);

    [Theory]
    [InlineData(AeoStatus.None, "aeo-not-certified")]
    [InlineData(AeoStatus.Revoked, "aeo-revoked")]
    [InlineData(AeoStatus.Expired, "aeo-expired")]
    public Task Amend_WhenNotCurrent_IsRefused(AeoStatus status, string code) =>
        AssertRefused(g => g.Amend(new AmendAeoOperator("New Name B.V.", "New Street 1")), status, code);

    [Fact]
    public Task Expire_BeforeValidUntil_IsRefused() =>
        AssertRefused(g => g.Expire(new ExpireAeoCertification(ValidUntil.AddDays(-1))), AeoStatus.Certified, "aeo-not-yet-expired");

    [Fact]
    public async Task Expire_WithoutValidUntil_IsRefused()
    {
        var grain = Grain();
        await grain.Certify(new CertifyAeoOperator("Example Logistics B.V.", "Havenstraat 1", "AEOF", CertifiedOn, null));

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.Expire(new ExpireAeoCertification(new DateOnly(2040, 1, 1))));

        Assert.Equal("aeo-not-yet-expired", error.Code);
        Assert.Equal(AeoStatus.Certified, (await grain.GetState()).Status);
    }

    [Theory]
    [InlineData("nlaeof0000123")]
    [InlineData("NL")]
    [InlineData("N1AEOF0000123")]
    [InlineData("NLAEOF00001230000000000000000000000000")]
    public async Task AnyCall_IllFormedAeoNumber_IsInvalidAndStoresNothing(string key)
    {
        var grain = Grain(key);

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.Certify(Certification()));

        Assert.Equal("aeoNumber", error.Field);
        Assert.Equal(0, _node.Activations.Active);
        await foreach (var _ in _node.Store.Entities.ListAsync("NL", AeoOperatorGrain.EntityKind))
        {
            Assert.Fail("Nothing may be stored for an ill-formed key.");
        }
    }

    [Fact]
    public async Task AnyCall_KeyWithCharactersOutsideIdentifiers_IsInvalid()
    {
        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => Grain("NL AEO\n01").GetState());

        Assert.Equal("aeoNumber", error.Field);
    }

    public static TheoryData<CertifyAeoOperator, string> BadCertifications => new()
    {
        { new CertifyAeoOperator(new string('x', 501), "Havenstraat 1", "AEOF", CertifiedOn, null), "name" },
        { new CertifyAeoOperator("  ", "Havenstraat 1", "AEOF", CertifiedOn, null), "name" },
        { new CertifyAeoOperator("Example\u0001", "Havenstraat 1", "AEOF", CertifiedOn, null), "name" },
        { new CertifyAeoOperator("Example", new string('x', 1001), "AEOF", CertifiedOn, null), "address" },
        { new CertifyAeoOperator("Example", "Havenstraat 1", "aeof", CertifiedOn, null), "programme" },
        { new CertifyAeoOperator("Example", "Havenstraat 1", "AEOF", CertifiedOn, CertifiedOn), "validUntil" },
    };

    [Theory]
    [MemberData(nameof(BadCertifications))]
    public async Task Certify_BadInput_IsInvalidAndHeadUnchanged(CertifyAeoOperator command, string field)
    {
        var grain = Grain();

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.Certify(command));

        Assert.Equal(field, error.Field);
        Assert.Null(await _node.HeadAsync(AeoOperatorGrain.EntityKind, Aeo));
    }

    [Fact]
    public async Task Suspend_OversizeReason_IsInvalidAndHeadUnchanged()
    {
        var grain = await InStatus(AeoStatus.Certified);
        var before = await _node.HeadAsync(AeoOperatorGrain.EntityKind, Aeo);

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.Suspend(new SuspendAeoCertification(new string('r', Fields.MaxTextLength + 1))));

        Assert.Equal("reason", error.Field);
        Assert.Equal(before, await _node.HeadAsync(AeoOperatorGrain.EntityKind, Aeo));
    }

    [Fact]
    public async Task State_AfterDeactivation_ReloadsTheSameStateFromStorage()
    {
        var grain = await InStatus(AeoStatus.Reinstated);
        var before = await grain.GetState();

        await _node.DeactivateAsync(grain);
        var after = await grain.GetState();

        Assert.Equal(2, _node.Activations.Created);
        Assert.Equal(1, _node.Activations.Active);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Calls_ToOneOperator_AreServedByOneActivation()
    {
        await InStatus(AeoStatus.Reinstated);

        Assert.Equal(1, _node.Activations.Created);
        Assert.Equal(1, _node.Activations.Active);
    }
}
