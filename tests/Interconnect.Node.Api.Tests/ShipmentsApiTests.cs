using System.Net;
using Interconnect.Node.Api;
using Interconnect.Node.Api.Shipments;
using Interconnect.Node.Api.Tests.Support;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class ShipmentsApiTests(ApiNode node)
{
    [Fact]
    public async Task Declare_Returns201_AndTheConsignmentRunsItsWholeLifecycle()
    {
        var ucr = ApiNode.NewUcr();

        using var declared = await node.PostAsync("/api/shipments", new
        {
            ucr, exportingAdministration = "NL", importingAdministration = "BE", consignor = "Westland Flowers B.V.", consignee = "Fleurs SA",
        });
        Assert.Equal(HttpStatusCode.Created, declared.StatusCode);
        Assert.Equal($"/api/shipments/{ucr}", declared.Headers.Location?.OriginalString);

        await node.AttachAsync(ucr, "PC-2026-0001");
        var sent = await node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/send", null);
        var control = await node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/control", new { reason = "Risk profile R12" });
        var held = await node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/hold", new { reason = "Sample to laboratory" });
        var released = await node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/release", new { remarks = "Laboratory result negative" });
        var exited = await node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/exit", null);

        Assert.Equal(
            ["pre-arrival-data-sent", "under-control", "held", "released", "exited"],
            new[] { sent, control, held, released, exited }.Select(s => s.Status));
        var stored = await node.GetAsync<ShipmentResponse>($"/api/shipments/{ucr}");
        Assert.Equal("exited", stored.Status);
        Assert.Equal("issued", Assert.Single(stored.Documents).Status);
        Assert.Equal(7UL, stored.Sequence);
    }

    [Fact]
    public async Task List_ReturnsOwnConsignmentsInReferenceOrder_InPages()
    {
        string[] ucrs = [ApiNode.NewUcr(), ApiNode.NewUcr()];
        foreach (var ucr in ucrs)
        {
            await node.PostAsync<ShipmentResponse>("/api/shipments", new
            {
                ucr, exportingAdministration = "NL", importingAdministration = "BE", consignor = "Westland Flowers B.V.", consignee = "Fleurs SA",
            });
        }

        var all = await node.GetAsync<ListPage<ShipmentResponse>>("/api/shipments?limit=1000");
        var page = await node.GetAsync<ListPage<ShipmentResponse>>($"/api/shipments?limit=1&after={ucrs[0]}");

        var listed = all.Items.Select(s => s.Ucr).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Subset(listed.ToHashSet(), ucrs.ToHashSet());
        Assert.Equal(ucrs[1], Assert.Single(page.Items).Ucr);
    }

    [Fact]
    public async Task Hold_BeforeControl_Returns409WithRuleCode()
    {
        var ucr = ApiNode.NewUcr();
        await node.DeclareAsync(ucr);

        var problem = await Problem.ReadAsync(await node.PostAsync($"/api/shipments/{ucr}/hold", new { reason = "no" }), HttpStatusCode.Conflict);

        Assert.Equal("shipment-declared", problem.Code);
    }

    [Fact]
    public async Task Replace_ADocumentWhoseNumberHasSlashes_MarksItReplacedBothWays()
    {
        var ucr = ApiNode.NewUcr();
        await node.DeclareAsync(ucr);
        await node.AttachAsync(ucr, "PC/2026/0001");

        var replaced = await node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/documents/PC%2F2026%2F0001/replace", new
        {
            number = "PC/2026/0002", issuedOn = "2026-11-21", contentDigest = Scenarios.Digest('b'), reason = "Wrong botanical name",
        });

        var old = replaced.Documents.Single(d => d.Number == "PC/2026/0001");
        var @new = replaced.Documents.Single(d => d.Number == "PC/2026/0002");
        Assert.Equal(("replaced", "PC/2026/0002"), (old.Status, old.ReplacedBy));
        Assert.Equal(("issued", "PC/2026/0001"), (@new.Status, @new.Replaces));
    }

    [Fact]
    public async Task Attach_DigestNotHex_Returns400NamingContentDigest()
    {
        var ucr = ApiNode.NewUcr();
        await node.DeclareAsync(ucr);

        var problem = await Problem.ReadAsync(
            await node.PostAsync($"/api/shipments/{ucr}/documents", new { documentType = "certificate-of-origin", number = "CO-1", issuedOn = "2026-11-20", contentDigest = "abc" }),
            HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("contentDigest"));
        Assert.Empty((await node.GetAsync<ShipmentResponse>($"/api/shipments/{ucr}")).Documents);
    }

    [Fact]
    public async Task Declare_ForTwoOtherAdministrations_Returns400()
    {
        var problem = await Problem.ReadAsync(
            await node.PostAsync("/api/shipments", new
            {
                ucr = ApiNode.NewUcr(), exportingAdministration = "FR", importingAdministration = "BE", consignor = "A", consignee = "B",
            }),
            HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("exportingAdministration"));
    }

    [Fact]
    public async Task Send_UnknownConsignment_Returns404()
    {
        await Problem.ReadAsync(await node.PostAsync($"/api/shipments/{ApiNode.NewUcr()}/send", null), HttpStatusCode.NotFound);
    }
}
