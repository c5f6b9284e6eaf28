using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interconnect.Node.Hosting;

/// <summary>Ready when storage answers and the log has been recovered.</summary>
internal sealed class StorageHealthCheck(AdministrationNode node, NodeStartup startup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!startup.Started)
        {
            return HealthCheckResult.Unhealthy("Storage is being prepared and the Merkle log recovered.");
        }

        try
        {
            var size = await node.Store.Log.GetSizeAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{size} log leaves stored.");
        }
        catch (Exception e) when (e is Storage.StorageException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Storage does not answer: " + e.Message, e);
        }
    }
}

/// <summary>Ready when the signing key signs and its signature verifies.</summary>
internal sealed class SigningKeyHealthCheck(AdministrationNode node) : IHealthCheck
{
    private static readonly byte[] Probe = "interconnect/readiness-probe"u8.ToArray();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var signature = node.Signer.Sign(Probe);
        return Task.FromResult(node.Signer.PublicKey.Verify(Probe, signature, node.Signer.Algorithm)
            ? HealthCheckResult.Healthy($"Key {node.Signer.KeyId} signs.")
            : HealthCheckResult.Unhealthy($"Key {node.Signer.KeyId} produced a signature that does not verify."));
    }
}
