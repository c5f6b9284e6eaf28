using System.Text.Json;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.Tests.MraAgreements;

public sealed class MraAgreementGrainTests : IAsyncLifetime
{
    private const string Agreement = "MRA-NL-JP-US-2026";

    private readonly EcdsaP256Signer _nl = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _jp = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _us = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _stranger = EcdsaP256Signer.Generate();
    private readonly TestNode _node;

    public MraAgreementGrainTests()
    {
        var partnerKeys = new StaticKeyResolver([("JP", _jp.PublicKey), ("US", _us.PublicKey), ("BR", _stranger.PublicKey)]);
        _node = TestNode.Start("NL", signer: _nl, partnerKeys: partnerKeys);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _jp.Dispose();
        _us.Dispose();
        _stranger.Dispose();
    }

    internal static ProposeMraAgreement Proposal(params string[] parties) => new(
        "NL-JP-US AEO mutual recognition",
        parties.Length == 0 ? ["NL", "JP", "US"] : parties,
        ["AEOF", "AEOS"],
        ["phytosanitary-certificate", "certificate-of-origin"],
        (parties.Length == 0 ? ["NL", "JP", "US"] : parties).Select(p => new DataSharingPolicy(p, [new SharedEntityKind("aeo-operator", ["aeoNumber", "status"])])).ToList(),
        1);

    private IMraAgreementGrain Grain(string key = Agreement) => _node.Grain<IMraAgreementGrain>(key);

    private async Task<LedgerEntry> ProposalEntry()
    {
        var ledger = await Grain().GetLedger(1, 1);
        return ledger[0].Entry;
    }

    private async Task<DisclosedEntry> AcceptanceBy(string party, ISigner signer) =>
        MraAcceptance.Create(await ProposalEntry(), party, signer, ManualTime.Start.AddHours(1));

    private async Task<IMraAgreementGrain> InStatus(MraStatus status)
    {
        var grain = Grain();
        if (status == MraStatus.None)
        {
            return grain;
        }

        await grain.Propose(Proposal());
        if (status is MraStatus.InForce or MraStatus.Suspended)
        {
            await grain.RecordAcceptance(new RecordMraAcceptance("JP", await AcceptanceBy("JP", _jp)));
            await grain.RecordAcceptance(new RecordMraAcceptance("US", await AcceptanceBy("US", _us)));
        }

        if (status == MraStatus.Suspended)
        {
            await grain.Suspend(new SuspendMraAgreement("review"));
        }

        if (status == MraStatus.Terminated)
        {
            await grain.Terminate(new TerminateMraAgreement("withdrawn"));
        }

        Assert.Equal(status, (await grain.GetState()).Status);
        return grain;
    }

    private async Task AssertRefused(MraStatus status, Func<IMraAgreementGrain, Task> act, string code)
    {
        var grain = await InStatus(status);
        var before = await _node.HeadAsync(MraAgreementGrain.EntityKind, Agreement);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => act(grain));

        Assert.Equal(code, error.Code);
        Assert.Equal(before, await _node.HeadAsync(MraAgreementGrain.EntityKind, Agreement));
        Assert.Equal(status, (await grain.GetState()).Status);
    }

    [Fact]
    public async Task Propose_ThreeParties_IsProposedWithProposerAsFirstAcceptance()
    {
        var view = await Grain().Propose(Proposal());

        Assert.Equal(MraStatus.Proposed, view.Status);
        Assert.Equal("NL", view.ProposedBy);
        Assert.Equal(["NL"], view.AcceptedBy);
        Assert.Equal(["JP", "US"], view.AwaitingAcceptance);
        Assert.Equal(["NL", "JP", "US"], view.Parties);
        Assert.Equal(["aeoNumber", "status"], view.PolicyFor("JP")!.FieldsFor("aeo-operator"));
        Assert.Equal((await ProposalEntry()).Hash.ToString(), view.ProposalHash);
    }

    [Fact]
    public async Task RecordAcceptance_UntilTheLastParty_InForceOnlyThen()
    {
        var grain = Grain();
        await grain.Propose(Proposal());

        var afterJapan = await grain.RecordAcceptance(new RecordMraAcceptance("JP", await AcceptanceBy("JP", _jp)));
        var afterUs = await grain.RecordAcceptance(new RecordMraAcceptance("US", await AcceptanceBy("US", _us)));

        Assert.Equal(MraStatus.Proposed, afterJapan.Status);
        Assert.Equal(["US"], afterJapan.AwaitingAcceptance);
        Assert.Equal(MraStatus.InForce, afterUs.Status);
        Assert.Empty(afterUs.AwaitingAcceptance);
    }

    [Fact]
    public async Task RecordAcceptance_StoresThePartnersSignedEntryInOurLedger_VerifiableFromOurLedgerAlone()
    {
        var grain = Grain();
        await grain.Propose(Proposal("NL", "JP"));
        var acceptance = await AcceptanceBy("JP", _jp);

        await grain.RecordAcceptance(new RecordMraAcceptance("JP", acceptance));

        var recorded = (await grain.GetLedger(2, 1))[0];
        Assert.Equal("mra.acceptance-recorded", recorded.Entry.Body.EntryType);
        var decoded = LedgerEntry.Decode(Convert.FromBase64String(recorded["acceptance"]!));
        var proof = new DisclosedEntry(decoded.Value!, [.. JsonSerializer.Deserialize<DisclosedField[]>(recorded["acceptanceFields"]!, JsonSerializerOptions.Web)!]);
        Assert.Equal(acceptance.Entry.Hash, proof.Entry.Hash);
        Assert.Equal("JP", proof.Entry.Body.Origin);
        var fault = MraAcceptance.Verify(proof, "JP", Agreement, Hash256.FromHex((await grain.GetState()).ProposalHash!), new StaticKeyResolver([("JP", _jp.PublicKey)]));
        Assert.Null(fault);
        Assert.Equal(MraStatus.InForce, (await grain.GetState()).Status);
    }

    [Fact]
    public async Task Lifecycle_SuspendResumeTerminate_FoldsEachStep()
    {
        var grain = await InStatus(MraStatus.InForce);

        var suspended = await grain.Suspend(new SuspendMraAgreement("review"));
        var resumed = await grain.Resume(new ResumeMraAgreement("review closed"));
        var terminated = await grain.Terminate(new TerminateMraAgreement("superseded"));

        Assert.Equal(MraStatus.Suspended, suspended.Status);
        Assert.Equal(MraStatus.InForce, resumed.Status);
        Assert.Equal("review closed", resumed.Reason);
        Assert.Equal(MraStatus.Terminated, terminated.Status);
        var ledger = await grain.GetLedger(1, 100);
        Assert.Equal(["mra.proposed", "mra.acceptance-recorded", "mra.acceptance-recorded", "mra.suspended", "mra.resumed", "mra.terminated"], ledger.Select(e => e.Entry.Body.EntryType));
        Assert.True(ChainVerifier.Verify(ledger.Select(e => e.Entry), new StaticKeyResolver([("NL", _nl.PublicKey)])).IsValid);
    }

    [Fact]
    public async Task Terminate_WhileProposed_WithdrawsTheProposal()
    {
        var grain = await InStatus(MraStatus.Proposed);

        var view = await grain.Terminate(new TerminateMraAgreement("withdrawn"));

        Assert.Equal(MraStatus.Terminated, view.Status);
    }

    [Theory]
    [InlineData(MraStatus.Proposed, "mra-proposed")]
    [InlineData(MraStatus.InForce, "mra-in-force")]
    [InlineData(MraStatus.Suspended, "mra-suspended")]
    [InlineData(MraStatus.Terminated, "mra-terminated")]
    public Task Propose_Again_IsRefused(MraStatus status, string code) =>
        AssertRefused(status, g => g.Propose(Proposal()), code);

    [Theory]
    [InlineData(MraStatus.None, "mra-not-proposed")]
    [InlineData(MraStatus.Proposed, "mra-proposed")]
    [InlineData(MraStatus.Suspended, "mra-suspended")]
    [InlineData(MraStatus.Terminated, "mra-terminated")]
    public Task Suspend_WhenNotInForce_IsRefused(MraStatus status, string code) =>
        AssertRefused(status, g => g.Suspend(new SuspendMraAgreement("review")), code);

    [Theory]
    [InlineData(MraStatus.None, "mra-not-proposed")]
    [InlineData(MraStatus.Proposed, "mra-proposed")]
    [InlineData(MraStatus.InForce, "mra-in-force")]
    [InlineData(MraStatus.Terminated, "mra-terminated")]
    public Task Resume_WhenNotSuspended_IsRefused(MraStatus status, string code) =>
        AssertRefused(status, g => g.Resume(new ResumeMraAgreement("closed")), code);

    [Theory]
    [InlineData(MraStatus.None, "mra-not-proposed")]
    [InlineData(MraStatus.Terminated, "mra-terminated")]
    public Task Terminate_WhenNothingToTerminate_IsRefused(MraStatus status, string code) =>
        AssertRefused(status, g => g.Terminate(new TerminateMraAgreement("done")), code);

    [Theory]
    [InlineData(MraStatus.InForce, "mra-in-force")]
    [InlineData(MraStatus.Suspended, "mra-suspended")]
    [InlineData(MraStatus.Terminated, "mra-terminated")]
    public async Task RecordAcceptance_WhenNotProposed_IsRefused(MraStatus status, string code)
    {
        var grain = await InStatus(status);
        var acceptance = await AcceptanceBy("JP", _jp);
        var before = await _node.HeadAsync(MraAgreementGrain.EntityKind, Agreement);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", acceptance)));

        Assert.Equal(code, error.Code);
        Assert.Equal(before, await _node.HeadAsync(MraAgreementGrain.EntityKind, Agreement));
    }

    [Fact]
    public async Task RecordAcceptance_BeforeAnyProposal_IsRefused()
    {
        var someProposal = MraAcceptance.Create(
            (await SignedElsewhere()).Entry, "JP", _jp, ManualTime.Start);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => Grain().RecordAcceptance(new RecordMraAcceptance("JP", someProposal)));

        Assert.Equal("mra-not-proposed", error.Code);
        Assert.Null(await _node.HeadAsync(MraAgreementGrain.EntityKind, Agreement));
    }

    [Fact]
    public async Task RecordAcceptance_Twice_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var acceptance = await AcceptanceBy("JP", _jp);
        await grain.RecordAcceptance(new RecordMraAcceptance("JP", acceptance));

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", acceptance)));

        Assert.Equal("mra-already-accepted", error.Code);
        Assert.Equal(MraStatus.Proposed, (await grain.GetState()).Status);
    }

    [Fact]
    public async Task RecordAcceptance_ForTheProposerItself_IsRefusedAsAlreadyAccepted()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var acceptance = await AcceptanceBy("NL", _nl);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("NL", acceptance)));

        Assert.Equal("mra-already-accepted", error.Code);
    }

    [Fact]
    public async Task RecordAcceptance_FromANonParty_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var acceptance = await AcceptanceBy("BR", _stranger);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("BR", acceptance)));

        Assert.Equal("mra-not-a-party", error.Code);
        Assert.Equal(1UL, (await grain.GetState()).Sequence);
    }

    [Fact]
    public async Task RecordAcceptance_SignedWithAnotherKey_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var forged = await AcceptanceBy("JP", _stranger);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", forged)));

        Assert.Equal("mra-acceptance-invalid", error.Code);
        Assert.Contains("has no key", error.Message, StringComparison.Ordinal);
        Assert.Equal(MraStatus.Proposed, (await grain.GetState()).Status);
        Assert.Equal(["NL"], (await grain.GetState()).AcceptedBy);
    }

    [Fact]
    public async Task RecordAcceptance_WithATamperedSignature_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var genuine = await AcceptanceBy("JP", _jp);
        var signature = genuine.Entry.Signature.ToArray();
        signature[10] ^= 0x01;
        var tampered = genuine with { Entry = new LedgerEntry(genuine.Entry.Body, signature) };

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", tampered)));

        Assert.Equal("mra-acceptance-invalid", error.Code);
        Assert.Contains("does not verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAcceptance_OfAnotherProposal_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var other = MraAcceptance.Create((await SignedElsewhere()).Entry, "JP", _jp, ManualTime.Start);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", other)));

        Assert.Equal("mra-acceptance-invalid", error.Code);
        Assert.Contains("names proposal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAcceptance_UnderAnotherPartysName_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var japanese = await AcceptanceBy("JP", _jp);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("US", japanese)));

        Assert.Equal("mra-acceptance-invalid", error.Code);
        Assert.Contains("originates from JP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAcceptance_WithAFieldValueChanged_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var genuine = await AcceptanceBy("JP", _jp);
        var changed = genuine with
        {
            Fields = [.. genuine.Fields.Select(f => f.Name == MraAcceptance.AgreementIdField ? f with { Value = "MRA-OTHER" } : f)],
        };

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", changed)));

        Assert.Equal("mra-acceptance-invalid", error.Code);
        Assert.Contains("hashes to", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAcceptance_WithTheProposalHashWithheld_IsRefused()
    {
        var grain = await InStatus(MraStatus.Proposed);
        var genuine = await AcceptanceBy("JP", _jp);
        var withheld = genuine with { Fields = [.. genuine.Fields.Where(f => f.Name != MraAcceptance.ProposalHashField)] };

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RecordAcceptance(new RecordMraAcceptance("JP", withheld)));

        Assert.Equal("mra-acceptance-invalid", error.Code);
    }

    [Fact]
    public async Task RecordAcceptance_WithoutPartnerKeys_IsRefused()
    {
        await using var node = TestNode.Start("NL", signer: _nl);
        var grain = node.Grain<IMraAgreementGrain>(Agreement);
        await grain.Propose(Proposal());
        var proposal = (await grain.GetLedger(1, 1))[0].Entry;

        var error = await Assert.ThrowsAsync<DomainRuleException>(
            () => grain.RecordAcceptance(new RecordMraAcceptance("JP", MraAcceptance.Create(proposal, "JP", _jp, ManualTime.Start))));

        Assert.Equal("mra-partner-keys-unknown", error.Code);
    }

    [Fact]
    public async Task Create_ContinuingThePartysChain_LinksToItsPreviousEntry()
    {
        var proposal = (await SignedElsewhere()).Entry;
        var first = MraAcceptance.Create(proposal, "JP", _jp, ManualTime.Start);

        var second = MraAcceptance.Create(proposal, "JP", _jp, ManualTime.Start.AddMinutes(-5), first.Entry.Body);

        Assert.Equal(2UL, second.Entry.Body.Sequence);
        Assert.Null(ChainVerifier.VerifyLink(first.Entry.Body, second.Entry.Body));
        Assert.True(ChainVerifier.Verify([first.Entry, second.Entry], new StaticKeyResolver([("JP", _jp.PublicKey)])).IsValid);
    }

    public static TheoryData<ProposeMraAgreement, string> BadProposals()
    {
        var good = Proposal();
        return new()
        {
            { good with { Parties = ["NL"], SharingPolicies = [good.SharingPolicies[0]] }, "parties" },
            { good with { Parties = ["JP", "US"] }, "parties" },
            { good with { Parties = ["NL", "JP", "JP"] }, "parties" },
            { good with { Parties = ["NL", "J P", "US"] }, "parties" },
            { good with { Title = new string('t', 501) }, "title" },
            { good with { AeoProgrammes = [] }, "aeoProgrammes" },
            { good with { AeoProgrammes = ["aeof"] }, "aeoProgrammes" },
            { good with { DocumentTypes = ["Phyto Cert"] }, "documentTypes" },
            { good with { SharingPolicies = good.SharingPolicies.Take(2).ToList() }, "sharingPolicies" },
            { good with { SharingPolicies = [.. good.SharingPolicies, new DataSharingPolicy("BR", [])] }, "sharingPolicies" },
            { good with { SharingPolicies = [.. good.SharingPolicies, good.SharingPolicies[0]] }, "sharingPolicies" },
            { good with { SharingPolicies = [good.SharingPolicies[0], good.SharingPolicies[1], new DataSharingPolicy("US", [new SharedEntityKind("aeo-operator", ["bad name"])])] }, "sharingPolicies" },
            { good with { EndorsementQuorum = 0 }, "endorsementQuorum" },
            { good with { EndorsementQuorum = 3 }, "endorsementQuorum" },
        };
    }

    [Theory]
    [MemberData(nameof(BadProposals))]
    public async Task Propose_BadInput_IsInvalidAndStoresNothing(ProposeMraAgreement command, string field)
    {
        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => Grain().Propose(command));

        Assert.Equal(field, error.Field);
        Assert.Null(await _node.HeadAsync(MraAgreementGrain.EntityKind, Agreement));
    }

    [Theory]
    [InlineData("mr")]
    [InlineData("mra-nl-jp")]
    [InlineData("-MRA")]
    public async Task AnyCall_IllFormedAgreementId_IsInvalid(string key)
    {
        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => Grain(key).Propose(Proposal()));

        Assert.Equal("agreementId", error.Field);
    }

    [Fact]
    public async Task State_AfterDeactivation_ReloadsTheSameStateFromStorage()
    {
        var grain = await InStatus(MraStatus.Suspended);
        var before = JsonSerializer.Serialize(await grain.GetState());

        await _node.DeactivateAsync(grain);
        var after = await grain.GetState();

        Assert.Equal(before, JsonSerializer.Serialize(after));
        Assert.Equal(MraStatus.Suspended, after.Status);
        Assert.Equal(2, _node.Activations.Created);
    }

    /// <summary>A proposal of the same agreement id signed by another node: same id, other hash.</summary>
    private async Task<DisclosedEntry> SignedElsewhere()
    {
        await using var elsewhere = TestNode.Start("NL", signer: _nl);
        var grain = elsewhere.Grain<IMraAgreementGrain>(Agreement);
        await grain.Propose(Proposal());
        return (await grain.GetLedger(1, 1))[0];
    }
}
