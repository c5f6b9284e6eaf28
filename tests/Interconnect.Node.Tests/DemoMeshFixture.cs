using Interconnect.Node.Demo;

namespace Interconnect.Node.Tests;

/// <summary>Three in-memory nodes (NL, JP, BE) that have played the demo scenario once.</summary>
public sealed class DemoMeshFixture : IAsyncLifetime
{
    public DemoMesh Mesh { get; private set; } = null!;

    public string ScenarioOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Mesh = await DemoMesh.StartAsync(["NL", "JP", "BE"], FreePorts.Consecutive(3)).ConfigureAwait(false);
        using var output = new StringWriter();
        await new DemoScenario(Mesh, output).RunAsync().ConfigureAwait(false);
        ScenarioOutput = output.ToString();
    }

    public async Task DisposeAsync() => await Mesh.DisposeAsync().ConfigureAwait(false);
}
