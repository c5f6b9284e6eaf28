using Interconnect.Node.Transport;
using Interconnect.Storage;

namespace Interconnect.Node.Hosting;

/// <summary>How a node is hosted, beyond its configuration: for the demo and tests that run several nodes in one process.</summary>
public sealed class NodeHostSettings
{
    /// <summary>URLs Kestrel listens on; empty keeps the host's configuration (ASPNETCORE_URLS).</summary>
    public IList<string> Urls { get; } = [];

    /// <summary>The process-wide directory of in-memory buses (in-memory transport); one is created if null.</summary>
    public InMemoryMesh? Mesh { get; init; }

    /// <summary>
    /// The storage to use instead of building one from the options: the silos of one administration
    /// hosted in one process share one in-memory store, as silos on several machines share their
    /// storage account. The host owns it and keeps it across the silos' restarts; null builds the store
    /// the options name.
    /// </summary>
    public INodeStore? Store { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Minimum log level for the node's own categories.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>
    /// The port this node's silo listens on for the other silos of its cluster: null for the configured
    /// <c>Node:Cluster:SiloPort</c>, 0 for a free port (the default for nodes hosted in-process, so that
    /// several administrations share one machine).
    /// </summary>
    public int? SiloPort { get; init; } = 0;

    /// <summary>The Orleans gateway port: null for the configured one, 0 for none (in-process nodes need none).</summary>
    public int? GatewayPort { get; init; } = 0;

    /// <summary>
    /// Under localhost membership, the silo port of the cluster's first silo, which the others join;
    /// null when this silo is the first.
    /// </summary>
    public int? PrimarySiloPort { get; init; }

    /// <summary>
    /// The host configures the silo's cluster itself (membership, endpoints, cluster and service ids),
    /// as Orleans.TestingHost does; the node adds only its grains to the silo.
    /// </summary>
    public bool ClusterConfiguredByHost { get; init; }

    /// <summary>Serve the web UI's static files.</summary>
    public bool ServeWebUi { get; init; } = true;
}
