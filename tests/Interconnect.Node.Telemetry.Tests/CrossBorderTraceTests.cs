using Xunit.Abstractions;
using System.Net;
using System.Net.Http.Json;
using System.Diagnostics;
using Interconnect.Node.Configuration;
using Microsoft.Extensions.Logging;
using Interconnect.Node.Telemetry.Tests.Support;
using Interconnect.Node.Transport.Tests;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>
/// One command at NL, replicated to JP and endorsed back, is one trace: an OTLP/HTTP receiver gets
/// NL's spans from NL's resource and JP's from JP's, all with the trace id of NL's command.
/// </summary>
public sealed partial class CrossBorderTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CertificationAtNl_ReplicationAndJpsEndorsement_ShareOneTrace_InProcessTransport()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var mesh = await TestMesh.StartAsync(["NL", "JP"], _ => TelemetryArgs(receiver));
        IReadOnlyList<ReceivedSpan> spans;
        string traceOfTheLog;
        try
        {
            using (var current = new Activity("a test's work").SetIdFormat(ActivityIdFormat.W3C).Start())
            {
                traceOfTheLog = current.TraceId.ToHexString();
                LogForTheCollector(mesh.Service<ILoggerFactory>("NL").CreateLogger("Interconnect.Node.Telemetry.Tests"));
            }

            spans = await CertifyAndCollectAsync(mesh, receiver, "NLAEOF0000901");
        }
        finally
        {
            // Stopping (in CertifyAndCollectAsync) flushes the logs the node buffers; disposal shuts its providers down.
            await mesh.DisposeAsync();
        }

        output.WriteLine(string.Join(Environment.NewLine, spans));
        AssertOneTraceAcrossTheBorder(spans, "NLAEOF0000901");
        Assert.True(receiver.MetricExports > 0, "the nodes' metrics reached the receiver too");
        Assert.True(receiver.LogExports > 0, "the nodes' logs reached the receiver too");
        Assert.Contains(receiver.Logs, l => l.Body == "A warning for the collector" && l.TraceId == traceOfTheLog);
    }

    [Fact]
    public async Task CertificationAtNl_ReplicationAndJpsEndorsement_ShareOneTrace_OverRabbitMqAndTheLinkForwarders()
    {
        var vhosts = new Dictionary<string, TestVirtualHost>(StringComparer.Ordinal)
        {
            ["NL"] = await TestBroker.CreateVirtualHostAsync("NL"),
            ["JP"] = await TestBroker.CreateVirtualHostAsync("JP"),
        };
        try
        {
            await using var receiver = await OtlpReceiver.StartAsync();
            await using var mesh = await TestMesh.StartAsync(["NL", "JP"], _ => TelemetryArgs(receiver), options =>
            {
                options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = vhosts[options.AdministrationId].Uri };
                foreach (var partner in options.Partners)
                {
                    partner.Link = vhosts[partner.Id].Uri;
                }
            });

            var spans = await CertifyAndCollectAsync(mesh, receiver, "NLAEOF0000902");

            output.WriteLine(string.Join(Environment.NewLine, spans));
            AssertOneTraceAcrossTheBorder(spans, "NLAEOF0000902");
        }
        finally
        {
            foreach (var vhost in vhosts.Values)
            {
                await vhost.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A warning for the collector")]
    private static partial void LogForTheCollector(ILogger logger);

    internal static string[] TelemetryArgs(OtlpReceiver receiver) =>
        [$"--Telemetry:OtlpEndpoint={receiver.Endpoint}", "--Telemetry:OtlpProtocol=http/protobuf", "--Telemetry:MetricExportInterval=00:00:01"];

    internal static async Task<IReadOnlyList<ReceivedSpan>> CertifyAndCollectAsync(TestMesh mesh, OtlpReceiver receiver, string number)
    {
        await mesh.EstablishAgreementAsync();
        using var nl = mesh.Http("NL");
        using var response = await nl.PostAsJsonAsync("api/aeo-operators", new
        {
            aeoNumber = number,
            name = "Tulip Logistics B.V.",
            address = "Havenstraat 1, 3011 Rotterdam",
            programme = "AEOF",
            certifiedOn = "2026-01-15",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await Eventually.HoldsAsync(() => mesh.EndorsedAtNlAsync(number), "JP's endorsement recorded at NL");

        // Stopping shuts the providers down, which exports what they still buffer.
        await mesh.StopAsync();
        return receiver.Spans;
    }

    internal static void AssertOneTraceAcrossTheBorder(IReadOnlyList<ReceivedSpan> spans, string number)
    {
        var command = Assert.Single(spans, s => s.Name == "command CertifyAeoOperator");
        Assert.Equal("NL", command.Administration);
        var trace = spans.Where(s => s.TraceId == command.TraceId).ToList();
        var described = string.Join(Environment.NewLine, trace);

        // Each node exports only its own spans, once.
        Assert.Equal(trace.Count, trace.Select(s => s.SpanId).Distinct().Count());
        Assert.All(trace, s => Assert.Equal(s.Administration, s.Attributes.TryGetValue("interconnect.administration", out var tagged) ? tagged : s.Administration));

        Assert.Contains(trace, s => s.Administration == "NL" && s.Name == "sign");
        Assert.Contains(trace, s => s.Administration == "NL" && s.Name == "storage log.append");
        var replicate = Assert.Single(trace, s => s.Administration == "NL" && s.Name == "replicate" && s.Attributes.GetValueOrDefault("interconnect.partner") == "JP");
        var receive = Assert.Single(trace, s => s.Administration == "JP" && s.Name == "receive");
        Assert.Contains(trace, s => s.Administration == "JP" && s.Name == "verify" && s.Attributes.GetValueOrDefault("interconnect.entry", string.Empty).Contains(number, StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Administration == "JP" && s.Name == "endorse");
        Assert.Contains(trace, s => s.Administration == "NL" && s.Name == "record receipts");
        Assert.Equal("JP", receive.Resource["interconnect.administration"]);
        Assert.Equal("NL", replicate.Resource["interconnect.administration"]);

        // JP's receive descends, through the transport's spans, from NL's replicate span.
        var byId = trace.ToDictionary(s => s.SpanId);
        var ancestors = new List<ReceivedSpan>();
        for (var at = receive; byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
        {
            ancestors.Add(parent);
        }

        Assert.True(ancestors.Any(a => a.SpanId == replicate.SpanId), "JP's receive span is not under NL's replicate span:" + Environment.NewLine + described);
        Assert.Contains(ancestors, a => a.Administration == "JP" && a.Scope == "MassTransit");

        // The replication continues the trace of the command that created the entry.
        Assert.Equal(command.SpanId, Ancestor(byId, replicate, command.SpanId));
    }

    private static string Ancestor(Dictionary<string, ReceivedSpan> byId, ReceivedSpan span, string wanted)
    {
        for (var at = span; byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
        {
            if (parent.SpanId == wanted)
            {
                return wanted;
            }
        }

        return "(the command is not an ancestor of the replicate span)";
    }
}
