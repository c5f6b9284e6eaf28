using System.Net;
using System.Text;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Api.Tests.Support;
using Interconnect.Node.Configuration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Interconnect.Node.Api.Tests;

/// <summary>
/// The node enforces exactly the matrix of docs/access-control.md: every endpoint is in it, every row
/// is an endpoint, and each endpoint, called as each role, admits or refuses as its row says.
/// </summary>
[Collection(SharedApiNode.Name)]
public sealed class AccessMatrixTests(ApiNode node)
{
    private const string Public = "public";
    private static readonly string[] Callers = [Public, Roles.Partner, Roles.Officer, Roles.Supervisor, Roles.Auditor];

    [Fact]
    public void EveryEndpoint_IsInTheDocumentedMatrix_AndEveryRowIsAnEndpoint()
    {
        var documented = Matrix().Keys.ToHashSet();
        var served = Endpoints().ToHashSet();
        Assert.True(served.Except(documented).ToList() is { Count: 0 }, "not in docs/access-control.md: " + string.Join(", ", served.Except(documented)));
        Assert.True(documented.Except(served).ToList() is { Count: 0 }, "documented but not served: " + string.Join(", ", documented.Except(served)));
    }

    [Fact]
    public async Task EveryEndpoint_AdmitsAndRefusesEachRole_AsTheMatrixSays()
    {
        var failures = new List<string>();
        foreach (var ((method, route), allowed) in Matrix())
        {
            foreach (var caller in Callers)
            {
                using var http = node.Client(caller == Public ? null : caller);
                using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(route));
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request);
                var status = response.StatusCode;
                var admitted = allowed.Contains(Public) || allowed.Contains(caller);
                if (admitted && status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    failures.Add($"{method} {route} as {caller}: {(int)status}, but the matrix allows it");
                }
                else if (!admitted)
                {
                    var expected = caller == Public ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
                    if (status != expected)
                    {
                        failures.Add($"{method} {route} as {caller}: {(int)status}, expected {(int)expected}");
                        continue;
                    }

                    var problem = await Problem.ReadAsync(response, expected);
                    var type = caller == Public ? ApiProblems.Unauthenticated : ApiProblems.Forbidden;
                    if (problem.Type != type)
                    {
                        failures.Add($"{method} {route} as {caller}: problem type {problem.Type}, expected {type}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    // method + route of every endpoint the node maps (static files are not endpoints).
    private IEnumerable<(string Method, string Route)> Endpoints() =>
        node.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, Normalize(e.RoutePattern.RawText!))));

    private static string Normalize(string route)
    {
        var trimmed = route.TrimEnd('/');
        return trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }

    private static Dictionary<(string Method, string Route), HashSet<string>> Matrix()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "access-control.md"));
        var start = text.IndexOf("<!-- matrix:begin -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- matrix:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/access-control.md has no matrix between its markers");
        var rows = new Dictionary<(string, string), HashSet<string>>();
        foreach (var line in text[start..end].Split('\n').Where(l => l.StartsWith("| GET", StringComparison.Ordinal) || l.StartsWith("| POST", StringComparison.Ordinal)))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 2 + Callers.Length, "malformed matrix row: " + line);
            var allowed = Callers.Where((_, i) => cells[2 + i] == "✓").ToHashSet(StringComparer.Ordinal);
            Assert.True(rows.TryAdd((cells[0], cells[1]), allowed), "row given twice: " + line);
        }

        return rows;
    }

    // A request path for a route template: sample values for its parameters.
    private static string Concrete(string route) => route
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{number}", "NLAEOF9000001", StringComparison.Ordinal)
        .Replace("{ucr}", "6NL123456789-2026-90001", StringComparison.Ordinal)
        .Replace("{id}", "NLAEOF9000001", StringComparison.Ordinal)
        .Replace("{kind}", "aeo-operator", StringComparison.Ordinal)
        .Replace("{partner}", ApiNode.PartnerId, StringComparison.Ordinal)
        .Replace("{administration}", ApiNode.PartnerId, StringComparison.Ordinal)
        .Replace("{principal}", ApiNode.PrincipalId(Roles.Officer), StringComparison.Ordinal);
}
