namespace Interconnect.Reliability.Tests;

/// <summary>
/// The fault suite: three administrations on a real RabbitMQ and a real Azurite of their own, each
/// run streaming entries while one fault is injected. Nothing may be lost, duplicated or unexpected,
/// and every chain, signature and checkpoint must verify afterwards.
/// </summary>
[Collection(FaultLabGroup.Name)]
public sealed class FaultSuiteTests(FaultLab lab)
{
    [Fact]
    public Task BrokerRestart() => RunAsync("broker-restart", (_, _) => lab.RestartBrokerAsync());

    [Fact]
    public Task AllConnectionsClosed() => RunAsync("connections-closed", (_, _) => lab.CloseAllConnectionsAsync());

    [Fact]
    public Task PartnerStoppedThenRestarted() => RunAsync("partner-stopped", async (mesh, profile) =>
    {
        await mesh.Nodes["JP"].StopAsync();
        await Task.Delay(profile.Outage);
        await mesh.Nodes["JP"].StartAsync(TimeSpan.FromSeconds(90));
    });

    [Fact]
    public Task NodeKilledMidBatch() => RunAsync("node-killed", async (mesh, _) =>
    {
        // NL has certifications in flight and a replication batch on its way when it is killed.
        await mesh.Nodes["NL"].KillAsync();
        await mesh.Nodes["NL"].StartAsync(TimeSpan.FromSeconds(90));
    });

    [Fact]
    public Task AzuriteRestart() => RunAsync("storage-restart", (_, _) => lab.RestartAzuriteAsync());

    private async Task RunAsync(string fault, Func<LabMesh, FaultProfile, Task> inject)
    {
        var result = await FaultRun.RunAsync(lab, fault, inject);

        Assert.True(result.Committed > 0, "the stream committed nothing");
        Assert.True(result.Problems.Count == 0, string.Join(Environment.NewLine, result.Problems.Take(20)));
        Assert.Equal((0, 0, 0, 0), (result.Lost, result.Duplicated, result.Unexpected, result.Unendorsed));
        Assert.Equal(3, result.CheckpointsVerified);
        Assert.True(result.ChainsVerified >= result.Committed * 3, $"{result.ChainsVerified} chains verified for {result.Committed} certifications held by 3 nodes");
    }
}
