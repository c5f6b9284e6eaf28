namespace Interconnect.Node.Hosting;

/// <summary>
/// Prepares storage and recovers the Merkle log before anything else starts (registered first, so
/// the bus and the replicator start on a recovered node).
/// </summary>
internal sealed partial class NodeStartup(AdministrationNode node, ILogger<NodeStartup> logger) : IHostedService
{
    /// <summary>Set once storage answers and the log is recovered (readiness).</summary>
    public bool Started { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await node.StartAsync(cancellationToken).ConfigureAwait(false);
        Started = true;
        LogStarted(logger, node.Id, node.Log.Size, node.Signer.Current?.KeyId ?? "(none)");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Administration {AdministrationId} started: {LogSize} log leaves, signing key {KeyId}")]
    private static partial void LogStarted(ILogger logger, string administrationId, long logSize, string keyId);
}
