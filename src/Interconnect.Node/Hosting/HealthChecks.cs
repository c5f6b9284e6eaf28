using System.Text.Json;
using Interconnect.Node.Configuration;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Net.Http.Headers;

namespace Interconnect.Node.Hosting;

/// <summary>The readiness checks' names (also the <c>interconnect.check</c> tag of the health gauge).</summary>
public static class ReadinessChecks
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string Tag = "ready";

    /// <summary>Storage answers a real read.</summary>
    public const string Storage = "storage";

    /// <summary>The bus is connected to this administration's broker.</summary>
    public const string Broker = "broker";

    /// <summary>The signing key signs and verifies.</summary>
    public const string SigningKey = "signing-key";

    /// <summary>The silo is an active member of its administration's cluster.</summary>
    public const string Cluster = "cluster";

    /// <summary>How long a check may take before it counts as failed (storage's HTTP client waits forever otherwise).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Ready when this silo is an active member of its administration's cluster: before it has joined
/// (or once it is leaving) calls from here could not reach the grains.
/// </summary>
internal sealed class ClusterHealthCheck(ISiloStatusOracle silos) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var active = silos.GetApproximateSiloStatuses(onlyActive: true).Count;
        return Task.FromResult(silos.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {silos.SiloAddress} is active; {active} active silo{(active == 1 ? string.Empty : "s")} in the cluster.")
            : HealthCheckResult.Unhealthy($"Silo {silos.SiloAddress} is {silos.CurrentStatus}, not an active member of the cluster yet."));
    }
}

/// <summary>Ready when storage answers a real read and the log has been recovered.</summary>
internal sealed class StorageHealthCheck(AdministrationNode node, NodeStartup startup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!startup.Started)
        {
            return HealthCheckResult.Unhealthy("Storage is being prepared and the Merkle log recovered.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadinessChecks.Timeout);
        try
        {
            var size = await node.Store.Log.GetSizeAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{size} log leaves stored.");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Storage did not answer within {ReadinessChecks.Timeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is Storage.StorageException or HttpRequestException or TimeoutException or IOException)
        {
            return HealthCheckResult.Unhealthy("Storage does not answer: " + e.Message, e);
        }
    }
}

/// <summary>
/// Ready when the node holds a key that its key set says is valid now, and that key signs and its
/// signature verifies. A node whose current key was revoked with no standby is not ready, and says so.
/// </summary>
internal sealed class SigningKeyHealthCheck(AdministrationNode node) : IHealthCheck
{
    private static readonly byte[] Probe = "interconnect/readiness-probe"u8.ToArray();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (node.Signer.Current is not { } key)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(node.Signer.Unavailable ?? "The node has no signing key."));
        }

        try
        {
            var signature = key.Sign(Probe);
            return Task.FromResult(key.PublicKey.Verify(Probe, signature, key.Algorithm)
                ? HealthCheckResult.Healthy($"Key {key.KeyId} signs.")
                : HealthCheckResult.Unhealthy($"Key {key.KeyId} produced a signature that does not verify."));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ObjectDisposedException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Key {key.KeyId} cannot sign: {e.Message}", e));
        }
    }
}

/// <summary>
/// Ready when the bus can take messages: over RabbitMQ, MassTransit's view of its connection to our
/// own broker and of the inbound endpoint; the in-memory bus is always ready. A partner's broker
/// being away does not make us unready: messages for it wait in our outbound queue.
/// </summary>
internal sealed class BrokerHealthCheck(NodeOptions options, IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (options.Transport.Kind != TransportKinds.RabbitMq)
        {
            return Task.FromResult(HealthCheckResult.Healthy("In-memory bus (one process)."));
        }

        var health = bus.CheckHealth();
        var endpoints = health.Endpoints.Where(e => e.Value.Status != BusHealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Description}")
            .ToList();
        var description = endpoints.Count == 0 ? health.Description : $"{health.Description} ({string.Join("; ", endpoints)})";
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy("Connected to our broker: " + description)
            : HealthCheckResult.Unhealthy("Not connected to our broker: " + description, health.Exception));
    }
}

/// <summary>
/// Writes a readiness report: the status word alone when healthy (what probes and older clients
/// read), otherwise the status and one line per failing check with its reason; JSON with every
/// check when the client accepts application/json.
/// </summary>
internal static class HealthReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var accept = context.Request.GetTypedHeaders().Accept;
        if (accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(Describe(report), Json));
        }

        context.Response.ContentType = "text/plain";
        var lines = new List<string> { report.Status.ToString() };
        lines.AddRange(report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}"));
        return context.Response.WriteAsync(string.Join('\n', lines));
    }

    /// <summary>The report as plain values (status, checks with status, description and duration).</summary>
    public static ReadinessReport Describe(HealthReport report) =>
        new(
            report.Status.ToString(),
            [.. report.Entries.Select(e => new ReadinessCheck(e.Key, e.Value.Status.ToString(), e.Value.Description ?? string.Empty, e.Value.Duration.TotalMilliseconds))]);
}

/// <summary>A readiness report.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Checks">Each check.</param>
public sealed record ReadinessReport(string Status, IReadOnlyList<ReadinessCheck> Checks);

/// <summary>One readiness check's outcome.</summary>
/// <param name="Name">storage, broker or signing-key.</param>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Description">What was found, or why it failed.</param>
/// <param name="DurationMs">How long the check took.</param>
public sealed record ReadinessCheck(string Name, string Status, string Description, double DurationMs);
