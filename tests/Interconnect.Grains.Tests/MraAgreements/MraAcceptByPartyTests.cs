using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.Tests.MraAgreements;

/// <summary>A party accepting another administration's proposal in its own ledger.</summary>
public sealed class MraAcceptByPartyTests : IAsyncLifetime
{
    private const string Agreement = "MRA-NL-JP-US-2026";
    private readonly EcdsaP256Signer _nlKey = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _jpKey = EcdsaP256Signer.Generate();
    private readonly TestNode _nl;
    private readonly TestNode _jp;

    public MraAcceptByPartyTests()
    {
        _nl = TestNode.Start("NL", signer: _nlKey, partnerKeys: new StaticKeyResolver([("JP", _jpKey.PublicKey)]));
        _jp = TestNode.Start("JP", signer: _jpKey, partnerKeys: new StaticKeyResolver([("NL", _nlKey.PublicKey)]));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _nl.DisposeAsync();
        await _jp.DisposeAsync();
    }

    private async Task<DisclosedEntry> ProposedAtNl(params string[] parties)
    {
        await _nl.Grain<IMraAgreementGrain>(Agreement).Propose(MraAgreementGrainTests.Proposal(parties));
        return (await _nl.Grain<IMraAgreementGrain>(Agreement).GetLedger(1, 1))[0];
    }

    [Fact]
    public async Task Accept_SignsAnAcceptanceTheProposerRecords_AndTheAgreementEntersIntoForce()
    {
        var proposal = await ProposedAtNl("NL", "JP");

        var atJp = await _jp.Grain<IMraAgreementGrain>(Agreement).Accept(new AcceptMraAgreement(proposal));
        Assert.Equal(MraStatus.Proposed, atJp.Status);
        Assert.Equal("NL", atJp.ProposedBy);
        Assert.Equal(["NL", "JP"], atJp.AcceptedBy);

        var acceptance = (await _jp.Grain<IMraAgreementGrain>(Agreement).GetLedger(1, 1))[0];
        var atNl = await _nl.Grain<IMraAgreementGrain>(Agreement).RecordAcceptance(new RecordMraAcceptance("JP", acceptance));
        Assert.Equal(MraStatus.InForce, atNl.Status);
        var replayed = MraAgreementGrain.Replay(Agreement, await _nl.Grain<IMraAgreementGrain>(Agreement).GetLedger(1, 10));
        Assert.Equal(MraStatus.InForce, replayed.Status);
        Assert.Equal(atNl.AcceptedBy, replayed.AcceptedBy);
    }

    [Fact]
    public async Task Accept_AProposalThatDoesNotNameUs_IsRefused_AndNothingIsStored()
    {
        var proposal = await ProposedAtNl("NL", "US");

        var refused = await Assert.ThrowsAsync<DomainRuleException>(() => _jp.Grain<IMraAgreementGrain>(Agreement).Accept(new AcceptMraAgreement(proposal)));
        Assert.Equal("mra-not-a-party", refused.Code);
        Assert.Null(await _jp.HeadAsync(MraAgreementGrain.EntityKind, Agreement));
    }

    [Fact]
    public async Task Accept_ATamperedProposal_IsRefused()
    {
        var proposal = await ProposedAtNl("NL", "JP");
        var tampered = proposal with { Fields = [.. proposal.Fields.Select(f => f.Name == "title" ? f with { Value = "Something else" } : f)] };

        var refused = await Assert.ThrowsAsync<DomainRuleException>(() => _jp.Grain<IMraAgreementGrain>(Agreement).Accept(new AcceptMraAgreement(tampered)));
        Assert.Equal("mra-proposal-invalid", refused.Code);
        Assert.Null(await _jp.HeadAsync(MraAgreementGrain.EntityKind, Agreement));
    }

    [Fact]
    public async Task Accept_Twice_IsRefused()
    {
        var proposal = await ProposedAtNl("NL", "JP");
        await _jp.Grain<IMraAgreementGrain>(Agreement).Accept(new AcceptMraAgreement(proposal));

        await Assert.ThrowsAsync<DomainRuleException>(() => _jp.Grain<IMraAgreementGrain>(Agreement).Accept(new AcceptMraAgreement(proposal)));
        Assert.Equal(1UL, (await _jp.HeadAsync(MraAgreementGrain.EntityKind, Agreement))!.LastSequence);
    }
}
