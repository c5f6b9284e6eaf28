using System.Net.Http.Json;
using Interconnect.Node.Api.Operations;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Tests;
using Interconnect.Node.Telemetry.Tests.Support;
using Interconnect.Node.Transport.Tests;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>The demo scenario (NL, JP, BE in one process) moves the node Meters' instruments, read with a MeterListener, and the operations endpoint shows the same figures.</summary>
public sealed class MetricsTests(DemoMetricsFixture fixture) : IClassFixture<DemoMetricsFixture>
{
    private readonly MeterRecorder _recorder = fixture.Recorder;
    private readonly DemoMesh _mesh = fixture.Mesh;

    [Fact]
    public void Scenario_CountsAppendsReplicationEndorsementsAndRejections()
    {
        var nl = _mesh.Service<NodeTelemetry>("NL");
        var jp = _mesh.Service<NodeTelemetry>("JP");

        Assert.True(_recorder.Value(nl, MetricNames.EntriesAppended) >= 8, "NL appended the MRA, the AEO and the shipment entries");
        Assert.True(_recorder.Value(nl, MetricNames.EntriesReplicated, "interconnect.partner=JP") > 0);
        // BE has no MRA with NL: it receives NL's key set (its genesis) and nothing else.
        Assert.Equal(1, _recorder.Value(nl, MetricNames.EntriesReplicated, "interconnect.partner=BE"));
        Assert.True(_recorder.Value(nl, MetricNames.EntriesEndorsed, "interconnect.partner=JP", "interconnect.direction=received") > 0);
        Assert.True(_recorder.Value(jp, MetricNames.EntriesEndorsed, "interconnect.partner=NL", "interconnect.direction=issued") > 0);

        // Step 7's forgery: JP rejects it (issued) and NL receives JP's signed rejection.
        Assert.True(_recorder.Value(jp, MetricNames.EntriesRejected, "interconnect.partner=NL", "interconnect.direction=issued", "interconnect.reason=bad-signature") >= 1);
        Assert.True(_recorder.Value(nl, MetricNames.EntriesRejected, "interconnect.partner=JP", "interconnect.direction=received", "interconnect.reason=bad-signature") >= 1);

        Assert.True(_recorder.Count(nl, MetricNames.EndorsementDuration, "interconnect.partner=JP") > 0);
        Assert.True(_recorder.Count(nl, MetricNames.StorageDuration, "interconnect.storage.operation=log.append", "interconnect.outcome=ok") > 0);
        _recorder.Observe();
        Assert.True(_recorder.Value(nl, MetricNames.GrainActivations) > 0);
        Assert.Equal(0, _recorder.Value(nl, MetricNames.MeshAlarms));
    }

    [Fact]
    public async Task Lag_ReturnsToZero_OnceThePartnersAcknowledged()
    {
        var nl = _mesh.Service<NodeTelemetry>("NL");

        await Eventually.HoldsAsync(
            () =>
            {
                _recorder.Observe();
                return new[] { "JP", "BE" }.All(p =>
                    _recorder.Value(nl, MetricNames.ReplicationLag, "interconnect.partner=" + p) == 0
                    && _recorder.Value(nl, MetricNames.ReplicationLagTime, "interconnect.partner=" + p) == 0
                    && _recorder.Value(nl, MetricNames.ReplicationBacklog, "interconnect.partner=" + p) == 0);
            },
            "NL's lag and backlog to JP and BE back at 0");
    }

    [Fact]
    public async Task OperationsEndpoint_ShowsTheFiguresTheMeterRecords()
    {
        var nl = _mesh.Service<NodeTelemetry>("NL");
        using var http = _mesh.Client("NL", Roles.Auditor);

        OperationsMetricsResponse? figures = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                figures = await http.GetFromJsonAsync<OperationsMetricsResponse>("api/operations/metrics");
                return figures!.Partners.All(p => p.LagEntries == 0) && figures.Readiness.Status == "Healthy";
            },
            "NL's operations figures with no lag and ready");

        Assert.Equal("NL", figures!.AdministrationId);
        Assert.Equal(_recorder.Value(nl, MetricNames.EntriesAppended), figures.Totals.Appended);
        Assert.Equal(_recorder.Value(nl, MetricNames.EntriesReplicated), figures.Totals.Replicated);
        Assert.Equal(_recorder.Value(nl, MetricNames.EntriesEndorsed, "interconnect.direction=received"), figures.Totals.EndorsementsReceived);
        Assert.Equal(["BE", "JP"], figures.Partners.Select(p => p.Partner).Order(StringComparer.Ordinal));
        Assert.True(figures.Partners.Single(p => p.Partner == "JP").EndorsementsReceived > 0);
        Assert.Contains(figures.Rejections, r => r is { Reason: "bad-signature", Direction: "received", Partner: "JP" });
        Assert.True(figures.EndorsementLatency.Count > 0);
        Assert.NotNull(figures.EndorsementLatency.P50Seconds);
        Assert.True(figures.EndorsementLatency.P99Seconds >= figures.EndorsementLatency.P50Seconds);
        Assert.Contains(figures.Readiness.Checks, c => c is { Name: "storage", Status: "Healthy" });
        Assert.Contains(figures.Readiness.Checks, c => c is { Name: "broker", Status: "Healthy" });
        Assert.True(figures.Grains.Activations > 0);
    }
}

/// <summary>A MeterListener started first, then the three-administration demo played once.</summary>
public sealed class DemoMetricsFixture : IAsyncLifetime
{
    public MeterRecorder Recorder { get; } = new();

    public DemoMesh Mesh { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Mesh = await DemoMesh.StartAsync(["NL", "JP", "BE"], FreePorts.Consecutive(3));
        await new DemoScenario(Mesh, TextWriter.Null).RunAsync();
    }

    public async Task DisposeAsync()
    {
        await Mesh.DisposeAsync();
        Recorder.Dispose();
    }
}
