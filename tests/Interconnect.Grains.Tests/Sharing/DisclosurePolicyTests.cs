using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Sharing;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.Tests.Sharing;

public sealed class DisclosurePolicyTests : IAsyncLifetime
{
    private const string Aeo = "NLAEOF0000123";
    private const string Agreement = "MRA-NL-JP-2026";

    private static readonly DataSharingPolicy JapanPolicy = new("JP",
    [
        new SharedEntityKind(AeoOperatorGrain.EntityKind, ["aeoNumber", "status", "programme", "validUntil"]),
    ]);

    private static readonly DataSharingPolicy NetherlandsPolicy = new("NL",
    [
        new SharedEntityKind(AeoOperatorGrain.EntityKind, ["aeoNumber", "status"]),
        new SharedEntityKind("shipment", ["ucr", "status"]),
    ]);

    private readonly EcdsaP256Signer _nl = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _jp = EcdsaP256Signer.Generate();
    private readonly TestNode _node;

    public DisclosurePolicyTests() =>
        _node = TestNode.Start("NL", signer: _nl, partnerKeys: new StaticKeyResolver([("JP", _jp.PublicKey)]));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _jp.Dispose();
    }

    private async Task<DisclosedEntry> CertificationEntry()
    {
        var grain = _node.Grain<IAeoOperatorGrain>(Aeo);
        await grain.Certify(new CertifyAeoOperator("Example Logistics B.V.", "Havenstraat 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), new DateOnly(2029, 1, 1)));
        return (await grain.GetLedger(1, 1))[0];
    }

    private async Task<MraAgreementView> Agreed(bool inForce)
    {
        var grain = _node.Grain<IMraAgreementGrain>(Agreement);
        var view = await grain.Propose(new ProposeMraAgreement("NL-JP AEO MRA", ["NL", "JP"], ["AEOF"], ["phytosanitary-certificate"], [NetherlandsPolicy, JapanPolicy], 1));
        if (!inForce)
        {
            return view;
        }

        var proposal = (await grain.GetLedger(1, 1))[0].Entry;
        return await grain.RecordAcceptance(new RecordMraAcceptance("JP", MraAcceptance.Create(proposal, "JP", _jp, ManualTime.Start)));
    }

    [Fact]
    public async Task ForPartner_EntitledKind_DisclosesExactlyThePolicysFields()
    {
        var full = await CertificationEntry();

        var view = DisclosurePolicy.ForPartner(full, JapanPolicy, "JP");

        var shared = Assert.IsType<SharedView.Disclosed>(view).Entry;
        Assert.Equal(["aeoNumber", "programme", "status", "validUntil"], shared.Fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("AEOF", shared["programme"]);
        Assert.Equal("certified", shared["status"]);
        Assert.Equal(["address", "certifiedOn", "name"], shared.WithheldFieldNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ForPartner_PartnerView_StillVerifiesAndCarriesNoWithheldValue()
    {
        var full = await CertificationEntry();

        var shared = Assert.IsType<SharedView.Disclosed>(DisclosurePolicy.ForPartner(full, JapanPolicy, "JP")).Entry;

        Assert.Null(shared.VerifyFields());
        Assert.Null(ChainVerifier.VerifySignature(shared.Entry, new StaticKeyResolver([("NL", _nl.PublicKey)])));
        Assert.Equal(full.Entry.Hash, shared.Entry.Hash);
        var wire = System.Text.Encoding.UTF8.GetString(shared.Entry.Encode()) + string.Concat(shared.Fields.Select(f => f.Name + f.Value));
        Assert.DoesNotContain("Example Logistics", wire, StringComparison.Ordinal);
        Assert.DoesNotContain("Havenstraat", wire, StringComparison.Ordinal);
        Assert.Null(shared["name"]);
        Assert.Null(shared["address"]);
    }

    [Fact]
    public async Task ForPartner_KindNotInItsPolicy_IsRefused()
    {
        var full = await CertificationEntry();
        var policy = new DataSharingPolicy("JP", [new SharedEntityKind("shipment", ["ucr"])]);

        var view = DisclosurePolicy.ForPartner(full, policy, "JP");

        Assert.Contains("not entitled to aeo-operator", Assert.IsType<SharedView.Refused>(view).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForPartner_AnotherPartysPolicy_IsRefused()
    {
        var full = await CertificationEntry();

        var view = DisclosurePolicy.ForPartner(full, NetherlandsPolicy, "JP");

        Assert.IsType<SharedView.Refused>(view);
    }

    [Fact]
    public async Task ForPartner_UnderAnAgreementInForce_UsesThatPartysPolicy()
    {
        var full = await CertificationEntry();
        var agreement = await Agreed(inForce: true);

        var view = DisclosurePolicy.ForPartner(full, agreement, "JP");

        var shared = Assert.IsType<SharedView.Disclosed>(view).Entry;
        Assert.Equal(4, shared.Fields.Length);
        Assert.Null(shared.VerifyFields());
    }

    [Fact]
    public async Task ForPartner_UnderAnAgreementNotYetInForce_IsRefused()
    {
        var full = await CertificationEntry();
        var agreement = await Agreed(inForce: false);

        var view = DisclosurePolicy.ForPartner(full, agreement, "JP");

        Assert.Contains("proposed", Assert.IsType<SharedView.Refused>(view).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForPartner_NotAPartyOfTheAgreement_IsRefused()
    {
        var full = await CertificationEntry();
        var agreement = await Agreed(inForce: true);

        var view = DisclosurePolicy.ForPartner(full, agreement, "US");

        Assert.Contains("not a party", Assert.IsType<SharedView.Refused>(view).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForPartner_PolicyWithNoFieldsForAKind_SharesOnlyDigests()
    {
        var full = await CertificationEntry();
        var policy = new DataSharingPolicy("JP", [new SharedEntityKind(AeoOperatorGrain.EntityKind, [])]);

        var shared = Assert.IsType<SharedView.Disclosed>(DisclosurePolicy.ForPartner(full, policy, "JP")).Entry;

        Assert.Empty(shared.Fields);
        Assert.Equal(full.Entry.Body.Fields.Length, shared.WithheldFieldNames.Count());
        Assert.Null(ChainVerifier.VerifySignature(shared.Entry, new StaticKeyResolver([("NL", _nl.PublicKey)])));
    }
}
