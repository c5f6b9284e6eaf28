using System.Net;
using Interconnect.Node.Telemetry.Tests.Support;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>The web UI serves the operations page, its script and styles, and the node's page links to it.</summary>
public sealed class OperationsPageTests
{
    [Fact]
    public async Task OperationsPage_IsServed_AndLinkedFromTheNodesPage()
    {
        await using var mesh = await TestMesh.StartAsync(["NL"]);
        using var http = mesh.Http("NL");

        var index = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("href=\"operations.html\"", index, StringComparison.Ordinal);

        using var page = await http.GetAsync(new Uri("operations.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"operations.js\">", html, StringComparison.Ordinal);

        var script = await http.GetStringAsync(new Uri("operations.js", UriKind.Relative));
        Assert.Contains("/api/operations/metrics", script, StringComparison.Ordinal);
        using var styles = await http.GetAsync(new Uri("operations.css", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, styles.StatusCode);
    }
}
