using System.Globalization;
using OpenTelemetry.Exporter;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// Where the node sends its telemetry. Read from the standard OpenTelemetry variables
/// (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, the per-signal _TRACES/_METRICS/_LOGS_ENDPOINT,
/// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_METRIC_EXPORT_INTERVAL), then overridden by the
/// <c>Telemetry</c> configuration section, which lets nodes sharing one process (demo, tests)
/// export to different places. Without an endpoint nothing is exported; the operations page still
/// shows the node's figures.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section that overrides the environment variables.</summary>
    public const string Section = "Telemetry";

    /// <summary>The OTLP base endpoint for every signal (http/protobuf appends /v1/traces, /v1/metrics, /v1/logs).</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The full OTLP endpoint of traces, used as given.</summary>
    public Uri? OtlpTracesEndpoint { get; set; }

    /// <summary>The full OTLP endpoint of metrics, used as given.</summary>
    public Uri? OtlpMetricsEndpoint { get; set; }

    /// <summary>The full OTLP endpoint of logs, used as given.</summary>
    public Uri? OtlpLogsEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (the default, as the OpenTelemetry specification says) or <c>grpc</c>.</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>Headers for the collector, <c>key=value</c> pairs separated by commas (e.g. an API key).</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>The service name (resource attribute service.name).</summary>
    public string ServiceName { get; set; } = TelemetryNames.DefaultServiceName;

    /// <summary>More resource attributes, <c>key=value</c> pairs separated by commas.</summary>
    public string? ResourceAttributes { get; set; }

    /// <summary>How often metrics are exported.</summary>
    public TimeSpan MetricExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether logs are exported over OTLP too (when an endpoint is set).</summary>
    public bool ExportLogs { get; set; } = true;

    /// <summary>The export protocol.</summary>
    internal OtlpExportProtocol Protocol =>
        string.Equals(OtlpProtocol, "grpc", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;

    /// <summary>The endpoint of traces, or null when traces are not exported.</summary>
    internal Uri? TracesEndpoint => OtlpTracesEndpoint ?? SignalEndpoint("v1/traces");

    /// <summary>The endpoint of metrics, or null when metrics are not exported.</summary>
    internal Uri? MetricsEndpoint => OtlpMetricsEndpoint ?? SignalEndpoint("v1/metrics");

    /// <summary>The endpoint of logs, or null when logs are not exported.</summary>
    internal Uri? LogsEndpoint => ExportLogs ? OtlpLogsEndpoint ?? SignalEndpoint("v1/logs") : null;

    /// <summary>The exporter settings of the signal sent to <paramref name="endpoint"/>.</summary>
    internal OtlpExporterOptions Exporter(Uri endpoint)
    {
        var exporter = new OtlpExporterOptions { Endpoint = endpoint, Protocol = Protocol };
        if (OtlpHeaders is { Length: > 0 } headers)
        {
            exporter.Headers = headers;
        }

        return exporter;
    }

    /// <summary>Reads the OTEL_* variables from <paramref name="configuration"/> (which holds the environment), then the <see cref="Section"/> section.</summary>
    public static TelemetryOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new TelemetryOptions
        {
            OtlpEndpoint = UriOrNull(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]),
            OtlpTracesEndpoint = UriOrNull(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]),
            OtlpMetricsEndpoint = UriOrNull(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]),
            OtlpLogsEndpoint = UriOrNull(configuration["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]),
            OtlpHeaders = configuration["OTEL_EXPORTER_OTLP_HEADERS"],
            ResourceAttributes = configuration["OTEL_RESOURCE_ATTRIBUTES"],
        };
        if (configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is { Length: > 0 } protocol)
        {
            options.OtlpProtocol = protocol;
        }

        if (configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } service)
        {
            options.ServiceName = service;
        }

        if (long.TryParse(configuration["OTEL_METRIC_EXPORT_INTERVAL"], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0)
        {
            options.MetricExportInterval = TimeSpan.FromMilliseconds(milliseconds);
        }

        configuration.GetSection(Section).Bind(options);
        return options;
    }

    /// <summary>The pairs of a <c>key=value,key=value</c> list (OTEL_RESOURCE_ATTRIBUTES' form), skipping malformed ones.</summary>
    internal static IEnumerable<KeyValuePair<string, object>> Pairs(string? list)
    {
        foreach (var pair in (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                yield return new(Uri.UnescapeDataString(pair[..equals].Trim()), Uri.UnescapeDataString(pair[(equals + 1)..].Trim()));
            }
        }
    }

    private static Uri? UriOrNull(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : null;

    // The specification: over http/protobuf the base endpoint gets the signal's path; over gRPC it is used as given.
    private Uri? SignalEndpoint(string path) =>
        OtlpEndpoint is not { } endpoint ? null
        : Protocol == OtlpExportProtocol.Grpc ? endpoint
        : new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + path);
}
