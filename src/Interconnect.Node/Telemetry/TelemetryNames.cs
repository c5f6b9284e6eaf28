namespace Interconnect.Node.Telemetry;

/// <summary>The names operators subscribe to: the node's ActivitySource and Meter, the built-in sources and meters exported with them, and the tags spans share.</summary>
public static class TelemetryNames
{
    /// <summary>The ActivitySource of every span the node starts (API commands, signing, storage writes, replication, receipts).</summary>
    public const string ActivitySource = "Interconnect.Node";

    /// <summary>The Meter of every instrument the node records (one Meter instance per node, all with this name).</summary>
    public const string Meter = "Interconnect.Node";

    /// <summary>The span tag and resource attribute naming the administration a span or a process works for.</summary>
    public const string AdministrationAttribute = "interconnect.administration";

    /// <summary>The service name when neither OTEL_SERVICE_NAME nor the configuration gives one.</summary>
    public const string DefaultServiceName = "interconnect-node";

    /// <summary>Framework sources exported next to ours: ASP.NET Core requests, HttpClient calls (Azure Table storage), MassTransit send and receive.</summary>
    public static IReadOnlyList<string> BuiltInSources { get; } = ["Microsoft.AspNetCore", "System.Net.Http", "MassTransit"];

    /// <summary>Framework meters exported next to ours.</summary>
    public static IReadOnlyList<string> BuiltInMeters { get; } =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime", "MassTransit"];
}
