using System.Net;
using System.Net.Sockets;
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

/// <summary>Finds free loopback ports for nodes started by tests.</summary>
public static class FreePorts
{
    /// <summary>The first of <paramref name="count"/> consecutive ports that are free now.</summary>
    public static int Consecutive(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException("No free consecutive loopback ports found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
