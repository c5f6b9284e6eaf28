using System.Net;
using System.Text.Json;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Api.Tests.Support;
using Interconnect.Node.Configuration;
using Interconnect.Node.Transport.Tests;

namespace Interconnect.Node.Api.Tests;

/// <summary>
/// The Orleans Dashboard at /dashboard/: its page and its data for supervisors, refused to everyone
/// else as the rest of the API refuses (docs/access-control.md), and kept out of the API's document.
/// </summary>
[Collection(SharedApiNode.Name)]
public sealed class OrleansDashboardTests(ApiNode node)
{
    [Fact]
    public async Task Supervisor_GetsTheDashboardPage()
    {
        using var http = node.Client(Roles.Supervisor);

        using var response = await http.GetAsync(new Uri("/dashboard/", UriKind.Relative));

        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Orleans Dashboard</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Supervisor_WithoutTheTrailingSlash_IsSentToThePage()
    {
        // The page's assets are relative to it, so /dashboard redirects to /dashboard/.
        using var http = node.Client(Roles.Supervisor, followRedirects: false);

        using var response = await http.GetAsync(new Uri("/dashboard", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/dashboard/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Supervisor_SeesThisSiloInTheDashboardsCounters()
    {
        // The counters come from the silo's dashboard grains (silo.AddDashboard), refreshed once a second.
        using var http = node.Client(Roles.Supervisor);
        var last = "";
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri("/dashboard/DashboardCounters", UriKind.Relative));
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            using var counters = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return counters.RootElement.GetProperty("totalActiveHostCount").GetInt32() == 1
                && counters.RootElement.GetProperty("hosts").GetArrayLength() == 1;
        }, $"the dashboard's counters listing this node's one silo (last: {last})");
    }

    [Theory]
    [InlineData(Roles.Officer)]
    [InlineData(Roles.Auditor)]
    [InlineData(Roles.Partner)]
    public async Task OtherRoles_AreForbidden_WithTheRoleThatMay(string role)
    {
        using var http = node.Client(role);

        using var response = await http.GetAsync(new Uri("/dashboard/", UriKind.Relative));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(ApiProblems.Forbidden, problem.Type);
        Assert.Contains($"({role}) may not GET /dashboard/; it needs the role supervisor.", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/DashboardCounters")]
    public async Task Anonymous_IsUnauthenticated(string path)
    {
        using var http = node.Client(null);

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(ApiProblems.Unauthenticated, problem.Type);
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_IsNotInTheOpenApiDocument()
    {
        using var document = JsonDocument.Parse(await node.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/node", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/dashboard", StringComparison.Ordinal));
    }
}
