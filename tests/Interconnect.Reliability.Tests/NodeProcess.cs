using System.Diagnostics;

namespace Interconnect.Reliability.Tests;

/// <summary>
/// One administration's node as an operating-system process of the node executable (<c>run</c>),
/// configured only by environment variables as a deployment would be, so that it can be killed
/// outright (SIGKILL) as well as stopped (SIGTERM).
/// </summary>
public sealed class NodeProcess(string administration, int port, IReadOnlyDictionary<string, string> environment, string logDirectory) : IAsyncDisposable
{
    private Process? _process;
    private int _starts;

    /// <summary>The administration id.</summary>
    public string Administration { get; } = administration;

    /// <summary>The node's HTTP address.</summary>
    public Uri Url { get; } = new($"http://127.0.0.1:{port}/");

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The node executable built next to the tests (same configuration).</summary>
    public static string Executable { get; } = FindExecutable();

    /// <summary>Starts the process and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        if (IsRunning)
        {
            return;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(Executable)! };
        start.ArgumentList.Add(Executable);
        start.ArgumentList.Add("run");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        var log = Path.Combine(logDirectory, $"{Administration}-{++_starts}.log");
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the node");
        _process = process;
        _ = CopyAsync(process, log);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Administration}'s node exited with {process.ExitCode} while starting; see {log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (started.Elapsed > timeout)
            {
                throw new TimeoutException($"{Administration}'s node was not ready after {timeout.TotalSeconds:0} s; see {log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process outright (SIGKILL): nothing is flushed, nothing is acknowledged.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Stops the process as an orchestrator would (SIGTERM, then SIGKILL after 15 s).</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    private static async Task CopyAsync(Process process, string log)
    {
        await using var writer = new StreamWriter(log) { AutoFlush = true };
        async Task Pump(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (writer)
                {
                    writer.WriteLine(line);
                }
            }
        }

        await Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
    }

    private static string FindExecutable()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var path = Path.Combine(FaultLab.RepositoryRoot, "src", "Interconnect.Node", "bin", configuration, "net10.0", "Interconnect.Node.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the node executable is missing.", path);
    }
}
