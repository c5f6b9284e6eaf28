using System.Net;
using Interconnect.Node.Api.MraAgreements;
using Interconnect.Node.Api.Tests.Support;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class MraAgreementsApiTests(ApiNode node)
{
    private static int _counter;

    private static object Proposal(string id, int quorum = 1) => new
    {
        agreementId = id,
        title = "NL-BE AEO mutual recognition",
        parties = new[] { "NL", "BE" },
        aeoProgrammes = new[] { "AEOF", "AEOS" },
        documentTypes = new[] { "phytosanitary-certificate" },
        sharingPolicies = new[]
        {
            new { partyId = "NL", kinds = new[] { new { entityKind = "aeo-operator", fieldNames = new[] { "aeoNumber", "status" } } } },
            new { partyId = "BE", kinds = new[] { new { entityKind = "aeo-operator", fieldNames = new[] { "aeoNumber", "name", "status" } } } },
        },
        endorsementQuorum = quorum,
    };

    private static string NewId() => $"MRA-NL-BE-{Interlocked.Increment(ref _counter):D4}";

    [Fact]
    public async Task Propose_Returns201_ProposedAndAwaitingThePartner()
    {
        var id = NewId();

        using var response = await node.PostAsync("/api/mras", Proposal(id));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var mra = await node.GetAsync<MraAgreementResponse>($"/api/mras/{id}");
        Assert.Equal(("proposed", "proposer", "NL"), (mra.Status, mra.Role, mra.ProposedBy));
        Assert.Equal(["BE"], mra.AwaitingAcceptance);
        Assert.Equal(["aeoNumber", "name", "status"], mra.SharingPolicies.Single(p => p.PartyId == "BE").FieldsFor("aeo-operator"));
        Assert.Contains((await node.GetAsync<ListPage<MraAgreementResponse>>("/api/mras")).Items, m => m.AgreementId == id);
    }

    [Fact]
    public async Task Suspend_AProposal_Returns409_ButTerminateWithdrawsIt()
    {
        var id = NewId();
        await node.PostAsync<MraAgreementResponse>("/api/mras", Proposal(id));

        var problem = await Problem.ReadAsync(await node.PostAsync($"/api/mras/{id}/suspend", new { reason = "not yet" }), HttpStatusCode.Conflict);
        var terminated = await node.PostAsync<MraAgreementResponse>($"/api/mras/{id}/terminate", new { reason = "Withdrawn" });

        Assert.Equal("mra-proposed", problem.Code);
        Assert.Equal("terminated", terminated.Status);
    }

    [Fact]
    public async Task Propose_QuorumOutOfRange_Returns400NamingIt()
    {
        var problem = await Problem.ReadAsync(await node.PostAsync("/api/mras", Proposal(NewId(), quorum: 2)), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("endorsementQuorum"));
    }

    [Fact]
    public async Task Get_Unknown_Returns404()
    {
        await Problem.ReadAsync(await node.GetAsync($"/api/mras/{NewId()}"), HttpStatusCode.NotFound);
    }
}
