using System.Net.Sockets;
using Azure.Data.Tables;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// The real Azurite the test command starts (scripts/infra/azurite.sh). Tests fail, never skip,
/// when it does not answer: a silently skipped storage suite would hide a broken provider.
/// </summary>
public static class Azurite
{
    private static readonly Lazy<Task> Reachable = new(CheckAsync);

    /// <summary>One HTTP client for every test store (connection reuse, as in the node).</summary>
    public static HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    /// <summary>The connection string from INTERCONNECT_TEST_AZURITE, or the emulator default.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";

    /// <summary>Options for a fresh administration: a table prefix no other test uses.</summary>
    public static AzureTableStorageOptions NewOptions() => new()
    {
        ConnectionString = ConnectionString,
        TablePrefix = "t" + Guid.NewGuid().ToString("N")[..20],
        BaseRetryDelay = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>A table of the test account, straight through the SDK (to set rows up or look at them as stored).</summary>
    public static TableClient Table(string name) => new TableServiceClient(ConnectionString).GetTableClient(name);

    /// <summary>Throws with instructions when Azurite is not listening.</summary>
    public static Task EnsureReachableAsync() => Reachable.Value;

    private static async Task CheckAsync()
    {
        var endpoint = new TableServiceClient(ConnectionString).Uri;
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"Azurite is not reachable at {endpoint} ({e.Message}). Start it with `bash scripts/infra/azurite.sh` "
                + "(the test command does this and exports INTERCONNECT_TEST_AZURITE=UseDevelopmentStorage=true).", e);
        }
    }
}
