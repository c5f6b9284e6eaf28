using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Transport.Tests;

namespace Interconnect.Node.Tests;

/// <summary>
/// Administrations as the demo runs them, but on the real RabbitMQ (a fresh virtual host each,
/// linked by forwarders) and the real Azurite (a fresh table prefix each) that the test command starts.
/// </summary>
public sealed class BrokeredMesh : IAsyncDisposable
{
    private readonly Dictionary<string, TestVirtualHost> _virtualHosts;

    private BrokeredMesh(DemoMesh mesh, Dictionary<string, TestVirtualHost> virtualHosts)
    {
        Mesh = mesh;
        _virtualHosts = virtualHosts;
    }

    /// <summary>The nodes.</summary>
    public DemoMesh Mesh { get; }

    /// <summary>Each administration's virtual host.</summary>
    public IReadOnlyDictionary<string, TestVirtualHost> VirtualHosts => _virtualHosts;

    /// <summary>Starts <paramref name="administrations"/>; table names start with <paramref name="tablePrefix"/> and a run id.</summary>
    public static async Task<BrokeredMesh> StartAsync(IReadOnlyList<string> administrations, string tablePrefix)
    {
        var azurite = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE");
        Assert.False(string.IsNullOrEmpty(azurite), "INTERCONNECT_TEST_AZURITE is not set: run the tests with scripts/test.sh, which starts Azurite.");
        var run = Guid.NewGuid().ToString("N")[..8];
        var virtualHosts = new Dictionary<string, TestVirtualHost>(StringComparer.Ordinal);
        foreach (var administration in administrations)
        {
            virtualHosts[administration] = await TestBroker.CreateVirtualHostAsync(administration);
        }

        var mesh = await DemoMesh.StartAsync(administrations, FreePorts.Consecutive(administrations.Count), Microsoft.Extensions.Logging.LogLevel.Warning, options =>
        {
            options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = virtualHosts[options.AdministrationId].Uri };
            options.Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ConnectionString = azurite, TablePrefix = $"{tablePrefix}{run}{options.AdministrationId.ToLowerInvariant()}" };
            foreach (var partner in options.Partners)
            {
                partner.Link = virtualHosts[partner.Id].Uri;
            }
        });
        return new BrokeredMesh(mesh, virtualHosts);
    }

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        foreach (var virtualHost in _virtualHosts.Values)
        {
            await virtualHost.DisposeAsync();
        }
    }
}
