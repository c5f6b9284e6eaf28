using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Interconnect.Node.Telemetry.Tests.Support;

/// <summary>A span as an OTLP collector receives it, with the resource attributes of the process that sent it.</summary>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource,
    string Scope)
{
    public string? Administration => Resource.GetValueOrDefault("interconnect.administration");

    public override string ToString() => $"{Administration} {Name} trace {TraceId} span {SpanId} parent {ParentSpanId} ({Scope})";
}

/// <summary>A metric as an OTLP collector receives it: its name, its Meter (scope) and the resource of the process that sent it.</summary>
public sealed record ReceivedMetric(string Name, string Scope, IReadOnlyDictionary<string, string> Resource)
{
    public string? Administration => Resource.GetValueOrDefault("interconnect.administration");

    public override string ToString() => $"{Administration} {Name} ({Scope})";
}

/// <summary>A log record as an OTLP collector receives it.</summary>
public sealed record ReceivedLog(string Body, string TraceId, string SpanId);

/// <summary>
/// A minimal OTLP/HTTP collector on a loopback port: takes POST /v1/traces (protobuf), decodes
/// ExportTraceServiceRequest → ResourceSpans → ScopeSpans → Span, and keeps every span; keeps the
/// log records of /v1/logs with their trace context; counts /v1/metrics exports and keeps the
/// metrics' names with their Meter and resource.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<ReceivedMetric> _metrics = new();
    private readonly ConcurrentQueue<ReceivedLog> _logs = new();
    private readonly WebApplication _app;
    private int _metricExports;
    private int _logExports;

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public int MetricExports => Volatile.Read(ref _metricExports);

    public IReadOnlyList<ReceivedMetric> Metrics => [.. _metrics];

    public int LogExports => Volatile.Read(ref _logExports);

    public IReadOnlyList<ReceivedLog> Logs => [.. _logs];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            var body = await ReadBodyAsync(request);
            foreach (var span in DecodeTraces(body))
            {
                receiver._spans.Enqueue(span);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            foreach (var metric in DecodeMetrics(await ReadBodyAsync(request)))
            {
                receiver._metrics.Enqueue(metric);
            }

            Interlocked.Increment(ref receiver._metricExports);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/logs", async (HttpRequest request) =>
        {
            foreach (var log in DecodeLogs(await ReadBodyAsync(request)))
            {
                receiver._logs.Enqueue(log);
            }

            Interlocked.Increment(ref receiver._logExports);
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Decodes an ExportTraceServiceRequest: ResourceSpans (1) → ScopeSpans (2) → Span (2).</summary>
    public static List<ReceivedSpan> DecodeTraces(byte[] body) =>
        [.. Scoped(body).Select(s => ReadSpan(s.Item, s.Resource, s.Scope))];

    /// <summary>Decodes an ExportMetricsServiceRequest: ResourceMetrics (1) → ScopeMetrics (2) → Metric (2) { name = 1 }.</summary>
    public static List<ReceivedMetric> DecodeMetrics(byte[] body) =>
        [.. Scoped(body).Select(s => new ReceivedMetric(StringField(s.Item, 1), s.Scope, s.Resource))];

    /// <summary>Decodes an ExportLogsServiceRequest: ResourceLogs (1) → ScopeLogs (2) → LogRecord (2) { body = 5, trace_id = 9, span_id = 10 }.</summary>
    public static List<ReceivedLog> DecodeLogs(byte[] body) =>
        [.. Scoped(body).Select(s => ReadLog(s.Item))];

    private static ReceivedLog ReadLog(ReadOnlySpan<byte> record)
    {
        string text = string.Empty, trace = string.Empty, span = string.Empty;
        var reader = new ProtobufReader(record);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (5, 2):
                    // AnyValue { string string_value = 1; ... }
                    text = StringField(reader.ReadBytes(), 1);
                    break;
                case (9, 2):
                    trace = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case (10, 2):
                    span = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new ReceivedLog(text, trace, span);
    }

    // The length-delimited fields numbered `number` of a message.
    private static List<byte[]> Fields(ReadOnlySpan<byte> message, int number)
    {
        var found = new List<byte[]>();
        var reader = new ProtobufReader(message);
        while (reader.Next(out var field, out var wire))
        {
            if (field == number && wire == 2)
            {
                found.Add(reader.ReadBytes().ToArray());
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return found;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // Every signal has one shape: Resource{Spans,Metrics,Logs} { Resource resource = 1; repeated
    // Scope{Spans,Metrics,Logs} scopes = 2; } and Scope{Spans,Metrics,Logs} { InstrumentationScope
    // scope = 1; repeated {Span,Metric,LogRecord} items = 2; }. Each item with its resource's
    // attributes and its scope's name.
    private static IEnumerable<(byte[] Item, IReadOnlyDictionary<string, string> Resource, string Scope)> Scoped(byte[] request)
    {
        foreach (var resourceItems in Fields(request, 1))
        {
            var resource = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var attribute in Fields(Fields(resourceItems, 1).FirstOrDefault(), 1))
            {
                var (key, value) = ReadKeyValue(attribute);
                resource[key] = value;
            }

            foreach (var scopeItems in Fields(resourceItems, 2))
            {
                var scope = StringField(Fields(scopeItems, 1).FirstOrDefault(), 1);
                foreach (var item in Fields(scopeItems, 2))
                {
                    yield return (item, resource, scope);
                }
            }
        }
    }

    // The first string field numbered `number` of a message, or empty.
    private static string StringField(ReadOnlySpan<byte> message, int number)
    {
        var reader = new ProtobufReader(message);
        while (reader.Next(out var field, out var wire))
        {
            if (field == number && wire == 2)
            {
                return reader.ReadString();
            }

            reader.Skip(wire);
        }

        return string.Empty;
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; repeated KeyValue attributes = 9; }
    private static ReceivedSpan ReadSpan(ReadOnlySpan<byte> bytes, IReadOnlyDictionary<string, string> resource, string scope)
    {
        string trace = string.Empty, span = string.Empty, parent = string.Empty, name = string.Empty;
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new ProtobufReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, 2):
                    trace = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case (2, 2):
                    span = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case (4, 2):
                    parent = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case (5, 2):
                    name = reader.ReadString();
                    break;
                case (6, 0):
                    kind = (int)reader.ReadVarint();
                    break;
                case (9, 2):
                    var (key, value) = ReadKeyValue(reader.ReadBytes());
                    attributes[key] = value;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new ReceivedSpan(trace, span, parent, name, kind, attributes, resource, scope);
    }

    // KeyValue { string key = 1; AnyValue value = 2; } AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... }
    private static (string Key, string Value) ReadKeyValue(ReadOnlySpan<byte> bytes)
    {
        string key = string.Empty, value = string.Empty;
        var reader = new ProtobufReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                key = reader.ReadString();
            }
            else if (field == 2 && wire == 2)
            {
                var any = new ProtobufReader(reader.ReadBytes());
                while (any.Next(out var f, out var w))
                {
                    value = (f, w) switch
                    {
                        (1, 2) => any.ReadString(),
                        (2, 0) => (any.ReadVarint() != 0).ToString(),
                        (3, 0) => ((long)any.ReadVarint()).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => Skipped(ref any, w),
                    };
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (key, value);
    }

    private static string Skipped(ref ProtobufReader reader, int wireType)
    {
        reader.Skip(wireType);
        return string.Empty;
    }
}
