using System.Net;
using System.Text;
using System.Text.RegularExpressions;
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
public sealed partial class AccessMatrixTests(ApiNode node)
{
    private const string Public = "public";
    private static readonly string[] Callers = [Public, Roles.Partner, Roles.Officer, Roles.Supervisor, Roles.Auditor];

    [Fact]
    public void EveryEndpoint_IsInTheDocumentedMatrix_AndEveryRowIsAnEndpoint()
    {
        var matrix = Matrix();
        var served = Endpoints().ToHashSet();
        var documented = matrix.Keys.Where(row => !IsPrefix(row.Route)).ToHashSet();
        var notDocumented = served.Where(e => !documented.Contains(e) && !matrix.Keys.Any(row => Covers(row, e))).ToList();
        Assert.True(notDocumented.Count == 0, "not in docs/access-control.md: " + string.Join(", ", notDocumented));
        Assert.True(documented.Except(served).ToList() is { Count: 0 }, "documented but not served: " + string.Join(", ", documented.Except(served)));
        var emptyPrefixes = matrix.Keys.Where(row => IsPrefix(row.Route) && !served.Any(e => Covers(row, e))).ToList();
        Assert.True(emptyPrefixes.Count == 0, "documented prefix under which nothing is served: " + string.Join(", ", emptyPrefixes));
    }

    [Fact]
    public void DashboardPrefixRow_CoversTheOrleansDashboardsPageAndItsCalls()
    {
        // The row is only as good as what it covers: the page, an asset and a JSON call of the dashboard.
        var covered = Expand(Matrix()).Keys.Select(e => e.Route).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("/dashboard", covered);
        Assert.Contains("/dashboard/index.min.js", covered);
        Assert.Contains("/dashboard/DashboardCounters", covered);
    }

    [Fact]
    public async Task EveryEndpoint_AdmitsAndRefusesEachRole_AsTheMatrixSays()
    {
        var failures = new List<string>();
        foreach (var ((method, route), allowed) in Expand(Matrix()))
        {
            foreach (var caller in Callers)
            {
                using var http = node.Client(caller == Public ? null : caller, followRedirects: false);
                using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(route));
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                // Headers only: an admitted call may stream (the dashboard's log stream runs for an hour).
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
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

    // A row whose route ends in /** stands for every endpoint under it (docs/access-control.md).
    private static bool IsPrefix(string route) => route.EndsWith("/**", StringComparison.Ordinal);

    private static bool Covers((string Method, string Route) row, (string Method, string Route) endpoint)
    {
        if (!IsPrefix(row.Route) || row.Method != endpoint.Method)
        {
            return false;
        }

        var prefix = row.Route[..^"/**".Length];
        return endpoint.Route == prefix || endpoint.Route.StartsWith(prefix + "/", StringComparison.Ordinal);
    }

    // The matrix with each prefix row replaced by the served endpoints it covers.
    private Dictionary<(string Method, string Route), HashSet<string>> Expand(Dictionary<(string Method, string Route), HashSet<string>> matrix)
    {
        var served = Endpoints().ToHashSet();
        var rows = matrix.Where(row => !IsPrefix(row.Key.Route)).ToDictionary();
        foreach (var (prefix, allowed) in matrix.Where(row => IsPrefix(row.Key.Route)))
        {
            foreach (var endpoint in served.Where(e => Covers(prefix, e)))
            {
                rows.TryAdd(endpoint, allowed);
            }
        }

        return rows;
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

    // A request path for a route template: sample values for its parameters (catch-alls and constraints included).
    private static string Concrete(string route) => RouteParameter().Replace(route, parameter => parameter.Groups["name"].Value switch
    {
        "documentName" => "v1",
        "number" or "id" => "NLAEOF9000001",
        "ucr" => "6NL123456789-2026-90001",
        "kind" => "aeo-operator",
        "partner" or "administration" => ApiNode.PartnerId,
        "principal" => ApiNode.PrincipalId(Roles.Officer),
        "page" => "1",
        var name => "sample-" + name,
    });

    [GeneratedRegex(@"\{\*{0,2}(?<name>\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
