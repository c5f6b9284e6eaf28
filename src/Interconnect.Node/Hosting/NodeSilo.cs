using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime.Hosting;

namespace Interconnect.Node.Hosting;

/// <summary>
/// Makes the node process a silo of its administration's Orleans cluster: cluster and service ids,
/// membership (localhost, or the Azure Table membership of the node's storage account), endpoints,
/// the Kubernetes hosting integration, and the customs grains.
/// </summary>
public static class NodeSilo
{
    /// <summary>
    /// The grain storage provider of plain grain state (partner cursors): Azure Table grain storage
    /// in the node's storage account, or, on in-memory storage, state kept beside the in-memory store.
    /// </summary>
    public const string StateStorage = "interconnect";

    /// <summary>The grain state table's name in the node's storage account (one per administration's table prefix).</summary>
    public static string GrainStateTableOf(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Storage.TablePrefix + "GrainState";
    }

    /// <summary>The cluster id: the configured one, or the administration id in lower case.</summary>
    public static string ClusterIdOf(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Cluster.ClusterId) ? options.AdministrationId.ToLowerInvariant() : options.Cluster.ClusterId;
    }

    /// <summary>The membership table's name in the node's storage account (one per administration's table prefix).</summary>
    public static string MembershipTableOf(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Storage.TablePrefix + "Silos";
    }

    /// <summary>Adds the silo to <paramref name="services"/>; ports in <paramref name="settings"/> override the configured ones.</summary>
    public static void AddNodeSilo(IServiceCollection services, NodeOptions options, NodeHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var cluster = options.Cluster;
        var clusterId = ClusterIdOf(options);
        var siloPort = settings.SiloPort ?? cluster.SiloPort;
        siloPort = siloPort == 0 && !settings.ClusterConfiguredByHost ? FreePort() : siloPort;
        var gatewayPort = settings.GatewayPort ?? cluster.GatewayPort;
        services.AddOrleans(silo =>
        {
            AddGrains(silo);
            AddStateStorage(silo, options);
            // Every silo reports to the Orleans Dashboard, so the page any node serves shows the whole cluster.
            silo.AddDashboard();
            if (settings.ClusterConfiguredByHost)
            {
                return;
            }

            silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (cluster.Membership == ClusterMemberships.AzureTable)
            {
                silo.UseAzureStorageClustering(o =>
                {
                    o.TableServiceClient = TablesOf(options);
                    o.TableName = MembershipTableOf(options);
                });
                silo.ConfigureEndpoints(
                    cluster.AdvertisedAddress is { Length: > 0 } address ? IPAddress.Parse(address) : FirstAddress(),
                    siloPort,
                    gatewayPort,
                    listenOnAnyHostAddress: true);
            }
            else
            {
                IPEndPoint? primary = settings.PrimarySiloPort is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null;
                silo.UseLocalhostClustering(siloPort, gatewayPort, primary, cluster.ServiceId, clusterId);
            }

            if (cluster.Kubernetes)
            {
                // Silo name, cluster and service ids and the advertised address from the pod's environment.
                silo.UseKubernetesHosting();
            }
        });
    }

    private static void AddGrains(ISiloBuilder silo)
    {
        // A grain call is a span of the caller's trace, across silos and across borders.
        silo.AddActivityPropagation();
        // The silo holding the log grain wakes this silo's replication when the log grows.
        silo.Services.AddSingleton<ILogAppendedObserver>(sp => sp.GetRequiredService<AdministrationNode>().Log);
        silo.AddInterconnectGrains(sp => sp.GetRequiredService<AdministrationNode>().Context);
    }

    private static void AddStateStorage(ISiloBuilder silo, NodeOptions options)
    {
        if (options.Storage.Provider == StorageProviders.AzureTable)
        {
            silo.AddAzureTableGrainStorage(StateStorage, o =>
            {
                o.TableServiceClient = TablesOf(options);
                o.TableName = GrainStateTableOf(options);
            });
        }
        else
        {
            silo.Services.AddGrainStorage(StateStorage, (sp, _) => InMemoryGrainStorage.For(
                sp.GetRequiredService<Storage.INodeStore>(), sp.GetRequiredService<Orleans.Serialization.DeepCopier>()));
        }
    }

    // The node's storage account: a managed identity with a service URI, else the connection string.
    private static TableServiceClient TablesOf(NodeOptions options) => options.Storage.ServiceUri is { } uri
        ? new TableServiceClient(uri, new Azure.Identity.DefaultAzureCredential())
        : new TableServiceClient(options.Storage.ConnectionString);

    // The first address another machine could reach this one on; loopback when there is none.
    private static IPAddress FirstAddress() =>
        Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Loopback;

    /// <summary>
    /// A port free now on loopback, for a silo. Another process could take it before the silo binds
    /// it; the silo then fails to start with the port named, as on a clash with a fixed port.
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
