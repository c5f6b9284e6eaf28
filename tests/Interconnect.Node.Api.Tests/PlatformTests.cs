using System.Net;
using System.Text.Json;
using Interconnect.Node.Api.Tests.Support;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class PlatformTests(ApiNode node)
{
    [Fact]
    public async Task OpenApiDocument_ListsEveryResourcesPaths_WithOperationIds()
    {
        using var document = JsonDocument.Parse(await node.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/aeo-operators", "/api/aeo-operators/{number}", "/api/aeo-operators/{number}/suspend", "/api/mras", "/api/mras/{id}/accept",
            "/api/shipments", "/api/shipments/{ucr}/documents/{number}/replace", "/api/shipments/{ucr}/send",
            "/api/partners/{partner}/shipments/{ucr}/response", "/api/ledger/{kind}/{id}", "/api/ledger/{kind}/{id}/endorsements",
            "/api/partners", "/api/partners/{partner}/shared", "/api/partners/{partner}/shared/{kind}/{id}", "/api/mesh/alarms",
            "/api/log/checkpoint", "/api/log/inclusion", "/api/log/consistency", "/api/verify/aeo/{number}", "/api/verify/certificate/{number}", "/api/node",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }

        var suspend = paths.GetProperty("/api/aeo-operators/{number}/suspend").GetProperty("post");
        Assert.Equal("SuspendAeoCertification", suspend.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(suspend.GetProperty("summary").GetString()));
        Assert.True(suspend.GetProperty("responses").TryGetProperty("409", out _));
        var certify = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("CertifyAeoOperatorRequest");
        var required = certify.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("certifiedOn", required);
        Assert.DoesNotContain("validUntil", required);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpoints_AnswerHealthy(string path)
    {
        using var response = await node.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Node_DescribesTheAdministration()
    {
        var about = await node.GetAsync<NodeResponse>("/api/node");

        Assert.Equal(("NL", node.Node.Signer.KeyId, "EcdsaP256Sha256"), (about.AdministrationId, about.KeyId, about.Algorithm));
        Assert.Equal(["BE"], about.Partners);
        Assert.Equal(node.Node.Log.Size, about.LogSize);
    }

    [Fact]
    public async Task Root_ServesTheWebUi()
    {
        using var response = await node.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownPath_Returns404Problem()
    {
        var problem = await Problem.ReadAsync(await node.GetAsync("/api/no-such-resource"), HttpStatusCode.NotFound);

        Assert.Equal("urn:interconnect:problem:not-found", problem.Type);
    }

    [Fact]
    public async Task WrongMethod_Returns405Problem()
    {
        using var response = await node.Http.DeleteAsync(new Uri("/api/aeo-operators", UriKind.Relative));

        await Problem.ReadAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task SharedFromAnUnknownPartner_Returns404Problem()
    {
        var problem = await Problem.ReadAsync(await node.GetAsync("/api/partners/FR/shared"), HttpStatusCode.NotFound);

        Assert.Contains("BE", problem.Detail, StringComparison.Ordinal);
    }
}
