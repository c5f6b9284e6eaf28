using System.Net;
using Interconnect.Node.Api.AeoOperators;
using Interconnect.Node.Api.Tests.Support;
using Interconnect.Storage;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class AeoOperatorsApiTests(ApiNode node)
{
    private static object Certification(string number, string programme = "AEOF") => new
    {
        aeoNumber = number,
        name = "Example Logistics B.V.",
        address = "Havenstraat 1, 3011 AA Rotterdam",
        programme,
        certifiedOn = "2026-01-15",
        validUntil = "2029-01-14",
    };

    private async Task<AeoOperatorResponse> CertifiedAsync()
    {
        var number = ApiNode.NewAeoNumber();
        return await node.PostAsync<AeoOperatorResponse>("/api/aeo-operators", Certification(number));
    }

    private Task<EntityHead?> HeadAsync(string number) =>
        node.Node.Store.Entities.GetHeadAsync(new EntityKey(ApiNode.AdministrationId, "aeo-operator", number));

    [Fact]
    public async Task Certify_NewOperator_Returns201WithLocationAndCertifiedState()
    {
        var number = ApiNode.NewAeoNumber();

        using var response = await node.PostAsync("/api/aeo-operators", Certification(number));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/aeo-operators/{number}", response.Headers.Location?.OriginalString);
        var created = await node.GetAsync<AeoOperatorResponse>($"/api/aeo-operators/{number}");
        Assert.Equal("certified", created.Status);
        Assert.Equal("AEOF", created.Programme);
        Assert.Equal(new DateOnly(2029, 1, 14), created.ValidUntil);
        Assert.Equal(1UL, created.Sequence);
    }

    [Fact]
    public async Task Suspend_ThenReinstate_ChangesStatusEachTime()
    {
        var aeo = await CertifiedAsync();

        var suspended = await node.PostAsync<AeoOperatorResponse>($"/api/aeo-operators/{aeo.AeoNumber}/suspend", new { reason = "Audit finding PCA-2026-17" });
        var reinstated = await node.PostAsync<AeoOperatorResponse>($"/api/aeo-operators/{aeo.AeoNumber}/reinstate", new { reason = "Findings remedied" });

        Assert.Equal("suspended", suspended.Status);
        Assert.Equal("Audit finding PCA-2026-17", suspended.Reason);
        Assert.Equal("reinstated", reinstated.Status);
        Assert.Equal(3UL, reinstated.Sequence);
    }

    [Fact]
    public async Task Reinstate_CertifiedOperator_Returns409ProblemWithRuleCode_AndWritesNothing()
    {
        var aeo = await CertifiedAsync();

        using var response = await node.PostAsync($"/api/aeo-operators/{aeo.AeoNumber}/reinstate", new { reason = "nothing to reinstate" });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("urn:interconnect:problem:rule-violated", problem.Type);
        Assert.Equal("aeo-certified", problem.Code);
        Assert.Contains("only a suspended operator can be reinstated", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(1UL, (await HeadAsync(aeo.AeoNumber))!.LastSequence);
    }

    [Fact]
    public async Task Certify_SameNumberTwice_Returns409()
    {
        var aeo = await CertifiedAsync();

        using var response = await node.PostAsync("/api/aeo-operators", Certification(aeo.AeoNumber));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("aeo-certified", problem.Code);
    }

    [Fact]
    public async Task Certify_ProgrammeOutOfFormat_Returns400WithFieldError_AndStorageUnchanged()
    {
        var number = ApiNode.NewAeoNumber();
        var logSize = node.Node.Log.Size;

        using var response = await node.PostAsync("/api/aeo-operators", Certification(number, programme: "full programme"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("urn:interconnect:problem:invalid-input", problem.Type);
        Assert.Contains("out of format", Assert.Single(problem.Errors["programme"]), StringComparison.Ordinal);
        Assert.Null(await HeadAsync(number));
        Assert.Equal(logSize, node.Node.Log.Size);
        await Problem.ReadAsync(await node.GetAsync($"/api/aeo-operators/{number}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Certify_NumberOutOfFormat_Returns400NamingAeoNumber()
    {
        using var response = await node.PostAsync("/api/aeo-operators", Certification("nlaeo-123"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors.ContainsKey("aeoNumber"), problem.Document.ToString());
    }

    [Fact]
    public async Task Certify_WithoutCertifiedOn_Returns400NamingTheField()
    {
        using var response = await node.PostAsync("/api/aeo-operators", new { aeoNumber = ApiNode.NewAeoNumber(), name = "X", address = "Y", programme = "AEOF" });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("certifiedOn is required.", Assert.Single(problem.Errors["certifiedOn"]));
    }

    [Fact]
    public async Task Certify_DateNotADate_Returns400Problem()
    {
        var body = new { aeoNumber = ApiNode.NewAeoNumber(), name = "X", address = "Y", programme = "AEOF", certifiedOn = "15/01/2026" };

        using var response = await node.PostAsync("/api/aeo-operators", body);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("urn:interconnect:problem:invalid-input", problem.Type);
        Assert.Null(await HeadAsync(body.aeoNumber));
    }

    [Fact]
    public async Task Certify_MalformedJson_Returns400Problem()
    {
        using var content = new StringContent("{\"aeoNumber\": ", System.Text.Encoding.UTF8, "application/json");

        using var response = await node.Http.PostAsync(new Uri("/api/aeo-operators", UriKind.Relative), content);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("urn:interconnect:problem:invalid-input", problem.Type);
    }

    [Fact]
    public async Task Suspend_WithoutReason_Returns400_AndLedgerUnchanged()
    {
        var aeo = await CertifiedAsync();
        var logSize = node.Node.Log.Size;

        using var response = await node.PostAsync($"/api/aeo-operators/{aeo.AeoNumber}/suspend", new { reason = "  " });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("reason is required.", Assert.Single(problem.Errors["reason"]));
        Assert.Equal(1UL, (await HeadAsync(aeo.AeoNumber))!.LastSequence);
        Assert.Equal(logSize, node.Node.Log.Size);
        Assert.Equal("certified", (await node.GetAsync<AeoOperatorResponse>($"/api/aeo-operators/{aeo.AeoNumber}")).Status);
    }

    [Fact]
    public async Task Suspend_UnknownOperator_Returns404Problem()
    {
        using var response = await node.PostAsync($"/api/aeo-operators/{ApiNode.NewAeoNumber()}/suspend", new { reason = "audit" });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("urn:interconnect:problem:not-found", problem.Type);
    }

    [Fact]
    public async Task List_ReturnsOwnOperatorsInNumberOrder_InPages()
    {
        var first = await CertifiedAsync();
        var second = await CertifiedAsync();
        await node.PostAsync<AeoOperatorResponse>($"/api/aeo-operators/{second.AeoNumber}/suspend", new { reason = "audit" });

        var all = await node.GetAsync<ListPage<AeoOperatorResponse>>("/api/aeo-operators?limit=1000");
        var page = await node.GetAsync<ListPage<AeoOperatorResponse>>($"/api/aeo-operators?limit=1&after={first.AeoNumber}");

        var numbers = all.Items.Select(a => a.AeoNumber).ToList();
        Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);
        Assert.Equal("suspended", all.Items.Single(a => a.AeoNumber == second.AeoNumber).Status);
        Assert.Equal(second.AeoNumber, Assert.Single(page.Items).AeoNumber);
    }

    [Fact]
    public async Task List_LimitOutOfRange_Returns400()
    {
        var problem = await Problem.ReadAsync(await node.GetAsync("/api/aeo-operators?limit=0"), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("limit"));
    }
}
