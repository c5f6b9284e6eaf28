namespace Interconnect.Node.Telemetry;

/// <summary>The names operators subscribe to: the node's ActivitySource and Meter, the libraries' sources and meters exported with them, and the tags spans share.</summary>
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

    /// <summary>
    /// Sources of libraries without an instrumentation package, listened to by name next to ours:
    /// MassTransit's send, receive and process; Orleans' grain calls, runtime, lifecycle and storage.
    /// ASP.NET Core's and HttpClient's come with their instrumentation packages.
    /// </summary>
    public static IReadOnlyList<string> LibrarySources { get; } =
        ["MassTransit", "Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Lifecycle", "Microsoft.Orleans.Storage"];

    /// <summary>Meters of libraries without an instrumentation package, listened to by name next to ours (ASP.NET Core's, HttpClient's and the runtime's come with their instrumentation packages).</summary>
    public static IReadOnlyList<string> LibraryMeters { get; } = ["MassTransit", "Microsoft.Orleans"];
}
