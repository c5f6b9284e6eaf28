using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>The standard OTEL_* variables configure export; the Telemetry section overrides them per node.</summary>
public sealed class TelemetryOptionsTests
{
    [Fact]
    public void NoEndpoint_ExportsNothing()
    {
        var options = TelemetryOptions.Read(Configuration());

        Assert.Null(options.TracesEndpoint);
        Assert.Null(options.MetricsEndpoint);
        Assert.Null(options.LogsEndpoint);
        Assert.Equal("interconnect-node", options.ServiceName);
    }

    [Fact]
    public void BaseEndpointOverHttp_GetsEachSignalsPath_AndSignalEndpointsWin()
    {
        var options = TelemetryOptions.Read(Configuration(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://metrics:9090/api/v1/otlp/v1/metrics"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret"),
            ("OTEL_SERVICE_NAME", "customs-nl"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "5000")));

        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), options.TracesEndpoint);
        Assert.Equal(new Uri("http://metrics:9090/api/v1/otlp/v1/metrics"), options.MetricsEndpoint);
        Assert.Equal(new Uri("http://collector:4318/v1/logs"), options.LogsEndpoint);
        Assert.Equal("api-key=secret", options.OtlpHeaders);
        Assert.Equal("customs-nl", options.ServiceName);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MetricExportInterval);
    }

    [Fact]
    public void GrpcEndpoint_IsUsedAsGiven()
    {
        var options = TelemetryOptions.Read(Configuration(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")));

        Assert.Equal(OtlpExportProtocol.Grpc, options.Protocol);
        Assert.Equal(new Uri("http://collector:4317"), options.TracesEndpoint);
    }

    [Fact]
    public void TelemetrySection_OverridesTheEnvironment_ForOneNode()
    {
        var options = TelemetryOptions.Read(Configuration(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("Telemetry:OtlpEndpoint", "http://127.0.0.1:5999"),
            ("Telemetry:ExportLogs", "false"),
            ("Telemetry:ResourceAttributes", "deployment.environment=test")));

        Assert.Equal(new Uri("http://127.0.0.1:5999/v1/traces"), options.TracesEndpoint);
        Assert.Null(options.LogsEndpoint);
        Assert.Equal([new KeyValuePair<string, object>("deployment.environment", "test")], TelemetryOptions.Pairs(options.ResourceAttributes));
    }

    [Fact]
    public void ReasonCode_IsTheCodeBeforeTheColon_OrOther()
    {
        Assert.Equal("bad-signature", NodeTelemetry.ReasonCode("bad-signature: Entry 3: the signature does not verify"));
        Assert.Equal("other", NodeTelemetry.ReasonCode("Something went wrong: see the log"));
        Assert.Equal("other", NodeTelemetry.ReasonCode(string.Empty));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
