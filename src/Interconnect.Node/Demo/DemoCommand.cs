using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Interconnect.Node.Configuration;

namespace Interconnect.Node.Demo;

/// <summary>The <c>demo</c> command: three administrations, the scripted scenario, then the web UI until Ctrl+C.</summary>
public static class DemoCommand
{
    /// <summary>The default port of the first administration.</summary>
    public const int DefaultBasePort = 5081;

    private static readonly string Usage = $"usage: demo [--base-port N] [--silos N (1 to {DemoMesh.MaxSilos})] [--no-serve]";

    /// <summary>An administration's web UI signed in as its officer: the page takes the key from the fragment, which never reaches a server.</summary>
    public static Uri OfficerPage(DemoMesh mesh, string administration)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        return new Uri(mesh.UrlOf(administration), "#key=" + mesh.ApiKey(administration, Roles.Officer));
    }

    /// <summary>Runs the demo; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var basePort = DefaultBasePort;
        var silos = 1;
        var serve = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--base-port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65533:
                    basePort = port;
                    i++;
                    break;
                case "--silos" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= DemoMesh.MaxSilos:
                    silos = count;
                    i++;
                    break;
                case "--no-serve":
                    serve = false;
                    break;
                default:
                    await error.WriteLineAsync($"demo: unknown or incomplete option \"{args[i]}\"; {Usage}").ConfigureAwait(false);
                    return 2;
            }
        }

        string[] administrations = ["NL", "JP", "BE"];
        if (DemoMesh.LastPort(basePort, administrations.Length, silos) > IPEndPoint.MaxPort)
        {
            await error.WriteLineAsync($"demo: with --silos {silos} the ports from --base-port {basePort} run past {IPEndPoint.MaxPort}; {Usage}").ConfigureAwait(false);
            return 2;
        }

        await output.WriteLineAsync(silos == 1
            ? "Interconnect demo: three customs administrations in one process, each with its own key, storage and node."
            : $"Interconnect demo: three customs administrations in one process, each with its own key and storage, and a node of {silos} silos of one Orleans cluster.").ConfigureAwait(false);
        await using var mesh = await DemoMesh.StartAsync(administrations, basePort, silos: silos).ConfigureAwait(false);
        foreach (var administration in administrations)
        {
            var urls = silos == 1
                ? mesh.UrlOf(administration).ToString()
                : string.Join("  ", Enumerable.Range(1, silos).Select(silo => $"silo {silo} {mesh.UrlOf(administration, silo)}"));
            await output.WriteLineAsync($"  {administration}: {urls}").ConfigureAwait(false);
        }

        // Each node admits only its own principals (docs/access-control.md); the demo makes fresh keys each run.
        await output.WriteLineAsync("API keys of each node's principals (send as \"Authorization: ApiKey <key>\"):").ConfigureAwait(false);
        foreach (var administration in administrations)
        {
            var keys = string.Join("  ", new[] { Roles.Officer, Roles.Supervisor, Roles.Auditor }.Select(role => $"{DemoMesh.PrincipalId(administration, role)} {mesh.ApiKey(administration, role)}"));
            await output.WriteLineAsync($"  {administration}: {keys}").ConfigureAwait(false);
        }

        int? stopped = null;
        try
        {
            var scenario = new DemoScenario(mesh, output);
            await scenario.RunAsync().ConfigureAwait(false);
            if (silos > 1)
            {
                stopped = await scenario.StopAeoSiloAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await error.WriteLineAsync("The demo scenario failed: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync(Environment.NewLine + "Scenario complete.").ConfigureAwait(false);
        if (!serve)
        {
            return 0;
        }

        await output.WriteLineAsync("The nodes keep running. Open NL's and JP's pages as their officers, certify or suspend an AEO on NL's, and watch it arrive on JP's (Ctrl+C stops):").ConfigureAwait(false);
        foreach (var administration in new[] { "NL", "JP" })
        {
            await output.WriteLineAsync($"  {administration} officer's page: {OfficerPage(mesh, administration)}").ConfigureAwait(false);
        }

        if (stopped is { } silo)
        {
            await output.WriteLineAsync($"Every running silo of an administration serves the same node and pages, at the URLs above; NL's silo {silo} stays stopped.").ConfigureAwait(false);
        }

        using var stop = new CancellationTokenSource();

        // Ctrl+C, and SIGTERM from a supervisor or a script, stop the nodes cleanly.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
