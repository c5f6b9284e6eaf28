using System.Diagnostics;

namespace Interconnect.Reliability.Tests;

/// <summary>
/// The fault suite's own RabbitMQ node (127.0.0.1:5682) and Azurite (Table on 127.0.0.1:10012),
/// started by scripts/infra/fault-lab.sh, so that restarting them or closing their connections
/// disturbs nothing but the nodes under test.
/// </summary>
public sealed class FaultLab : IAsyncLifetime
{
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The repository's root (where Interconnect.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Where the lab keeps its servers' data and logs (under artifacts/, removed first).</summary>
    public string StateDirectory { get; } = Path.Combine(RepositoryRoot, "artifacts", "fault-lab");

    /// <summary>The lab Azurite's connection string.</summary>
    public static string AzuriteConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:10012/devstoreaccount1;";

    /// <summary>An AMQP URI for <paramref name="virtualHost"/> on the lab broker.</summary>
    public static string BrokerUri(string virtualHost) => $"amqp://guest:guest@127.0.0.1:5682/{Uri.EscapeDataString(virtualHost)}";

    public async Task InitializeAsync()
    {
        await RunAsync("stop");
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }

        await RunAsync("rabbitmq-start");
        await RunAsync("azurite-start");
    }

    public Task DisposeAsync() => RunAsync("stop");

    /// <summary>Creates a virtual host with full rights for guest.</summary>
    public Task AddVirtualHostAsync(string virtualHost) => RunAsync("rabbitmq-add-vhost", virtualHost);

    /// <summary>Restarts the broker application: every connection drops, durable queues survive.</summary>
    public Task RestartBrokerAsync() => RunAsync("rabbitmq-restart");

    /// <summary>Closes every client connection (<c>rabbitmqctl close_all_connections</c>).</summary>
    public Task CloseAllConnectionsAsync() => RunAsync("rabbitmq-close-connections");

    /// <summary>Stops Azurite (it flushes its data) and starts it again on the same data.</summary>
    public Task RestartAzuriteAsync() => RunAsync("azurite-restart");

    /// <summary>Stops Azurite (until <see cref="StartAzuriteAsync"/>).</summary>
    public Task StopAzuriteAsync() => RunAsync("azurite-stop");

    /// <summary>Starts Azurite on the data it had.</summary>
    public Task StartAzuriteAsync() => RunAsync("azurite-start");

    /// <summary>Each queue of <paramref name="virtualHosts"/> with its ready and unacknowledged messages and consumers.</summary>
    public async Task<string> DescribeQueuesAsync(IEnumerable<string> virtualHosts)
    {
        var lines = new List<string>();
        foreach (var virtualHost in virtualHosts)
        {
            lines.Add(virtualHost + ": " + (await RunAsync("rabbitmq-list-queues", virtualHost)).ReplaceLineEndings("; "));
        }

        return string.Join(" | ", lines);
    }

    private async Task<string> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "infra", "fault-lab.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(StateDirectory);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"fault-lab.sh {command} exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Interconnect.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Interconnect.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One lab for every fault run.</summary>
[CollectionDefinition(Name)]
public sealed class FaultLabGroup : ICollectionFixture<FaultLab>
{
    public const string Name = "fault lab";
}
