using Interconnect.Node.Transport;

namespace Interconnect.Node.Hosting;

/// <summary>How a node is hosted, beyond its configuration: for the demo and tests that run several nodes in one process.</summary>
public sealed class NodeHostSettings
{
    /// <summary>URLs Kestrel listens on; empty keeps the host's configuration (ASPNETCORE_URLS).</summary>
    public IList<string> Urls { get; } = [];

    /// <summary>The process-wide directory of in-memory buses (in-memory transport); one is created if null.</summary>
    public InMemoryMesh? Mesh { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Minimum log level for the node's own categories.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Serve the web UI's static files.</summary>
    public bool ServeWebUi { get; init; } = true;
}
