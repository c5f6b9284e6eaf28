using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Interconnect.Cluster.Tests;

/// <summary>
/// One administration as a real Orleans cluster of several silos (Orleans.TestingHost), every silo a
/// whole node (grains, bus, replication) on the administration's one RabbitMQ virtual host and one
/// set of Azurite tables.
/// </summary>
public sealed class AdministrationCluster : IAsyncDisposable
{
    private AdministrationCluster(NodeOptions options, InProcessTestCluster cluster)
    {
        Options = options;
        Cluster = cluster;
    }

    /// <summary>The administration's configuration, the same on every silo.</summary>
    public NodeOptions Options { get; }

    /// <summary>The test cluster.</summary>
    public InProcessTestCluster Cluster { get; }

    /// <summary>The administration id.</summary>
    public string Id => Options.AdministrationId;

    /// <summary>Starts <paramref name="silos"/> silos of <paramref name="options"/>' administration.</summary>
    public static async Task<AdministrationCluster> StartAsync(NodeOptions options, short silos)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ClusterId = $"{options.AdministrationId.ToLowerInvariant()}-{Guid.NewGuid():N}"[..16];
        builder.Options.ServiceId = "interconnect-tests";
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            NodeApplication.AddNode(host.Services, options, new NodeHostSettings { ClusterConfiguredByHost = true, LogLevel = LogLevel.Warning, ServeWebUi = false });
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new AdministrationCluster(options, cluster);
    }

    /// <summary>The running silos.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => [.. Cluster.GetActiveSilos()];

    /// <summary>The node of one silo.</summary>
    public static AdministrationNode NodeOf(InProcessSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.SiloHost.Services.GetRequiredService<AdministrationNode>();
    }

    /// <summary>The node of any running silo.</summary>
    public AdministrationNode AnyNode => NodeOf(Silos[0]);

    /// <summary>A service of any running silo.</summary>
    public T Service<T>()
        where T : notnull => Silos[0].SiloHost.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
