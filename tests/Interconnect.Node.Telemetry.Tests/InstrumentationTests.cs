using System.Diagnostics;
using System.Net;
using Interconnect.Node.Telemetry.Tests.Support;
using Interconnect.Node.Transport.Tests;
using Xunit.Abstractions;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>
/// What the instrumentation packages add to the export: ASP.NET Core's server span named by its route,
/// with the route and the response status; the request-duration metric; the runtime's meter. Two
/// nodes share the process and the collector, and only the node that served the request exports it.
/// </summary>
public sealed class InstrumentationTests(ITestOutputHelper output)
{
    private const int ServerKind = 2;

    [Fact]
    public async Task ApiRequestAtNl_ServerSpanAndRequestDuration_ReachTheCollectorFromNlOnly()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var mesh = await TestMesh.StartAsync(["NL", "JP"], _ => CrossBorderTraceTests.TelemetryArgs(receiver));

        string trace;
        using (var nl = mesh.Http("NL"))
        using (var current = new Activity("a test's request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            // Sampled, so the node (parent-based sampling) records the request it serves in this trace.
            current.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            trace = current.TraceId.ToHexString();
            using var response = await nl.GetAsync(new Uri("api/aeo-operators/NLAEOF0000999", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await Eventually.HoldsAsync(
            () => receiver.Metrics.Any(m => m.Administration == "NL" && m.Name == "http.server.request.duration"),
            "NL's request duration exported");
        await mesh.StopAsync();

        var spans = receiver.Spans.Where(s => s.TraceId == trace).ToList();
        output.WriteLine(string.Join(Environment.NewLine, spans.Select(s => $"{s} {string.Join(", ", s.Attributes.Select(a => $"{a.Key}={a.Value}"))}")));
        var server = Assert.Single(spans, s => s.Scope == "Microsoft.AspNetCore");
        Assert.Equal("NL", server.Administration);
        Assert.Equal(ServerKind, server.Kind);
        Assert.Equal("/api/aeo-operators/{number}", server.Attributes.GetValueOrDefault("http.route"));
        Assert.Equal("GET /api/aeo-operators/{number}", server.Name);
        Assert.Equal("404", server.Attributes.GetValueOrDefault("http.response.status_code"));

        var metrics = receiver.Metrics;
        Assert.Contains(metrics, m => m is { Administration: "NL", Scope: "Microsoft.AspNetCore.Hosting", Name: "http.server.request.duration" });
        Assert.DoesNotContain(metrics, m => m is { Administration: "JP", Name: "http.server.request.duration" });
        Assert.Contains(metrics, m => m is { Administration: "JP", Scope: "System.Runtime" });
    }
}
