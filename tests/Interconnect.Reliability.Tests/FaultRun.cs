using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Interconnect.Reliability.Tests;

/// <summary>How long and how hard each fault run streams.</summary>
/// <param name="Name">"short" (the test command) or "long" (scripts/reliability.sh --long).</param>
/// <param name="Before">Streaming before the fault.</param>
/// <param name="After">Streaming after the fault is healed.</param>
/// <param name="Outage">How long a stopped partner stays down.</param>
/// <param name="PerSecond">Certifications per second at each of the two originating administrations.</param>
public sealed record FaultProfile(string Name, TimeSpan Before, TimeSpan After, TimeSpan Outage, double PerSecond)
{
    /// <summary>The profile chosen by INTERCONNECT_FAULT_PROFILE (short unless it says long).</summary>
    public static FaultProfile Current { get; } = Environment.GetEnvironmentVariable("INTERCONNECT_FAULT_PROFILE") == "long"
        ? new("long", TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(30), 8)
        : new("short", TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6), 5);
}

/// <summary>One row of the fault table.</summary>
public sealed record FaultResult(
    string Fault,
    string Profile,
    int Sent,
    int Committed,
    int Lost,
    int Duplicated,
    int Unexpected,
    double RecoverySeconds,
    int Retries,
    int ChainsVerified,
    int CheckpointsVerified,
    int Unendorsed,
    IReadOnlyList<string> Problems);

/// <summary>
/// Streams certifications at NL and JP (each replicated to the two other parties) while one fault is
/// injected, heals it, streams on, waits until every partner holds everything, then audits.
/// </summary>
public static class FaultRun
{
    private static readonly TimeSpan CatchUpDeadline = TimeSpan.FromMinutes(3);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs <paramref name="inject"/> (which returns once the fault is healed) in the middle of the stream.</summary>
    public static async Task<FaultResult> RunAsync(FaultLab lab, string fault, Func<LabMesh, FaultProfile, Task> inject)
    {
        ArgumentNullException.ThrowIfNull(inject);
        var profile = FaultProfile.Current;
        await using var mesh = await LabMesh.StartAsync(lab, new string(fault.Where(char.IsLetter).Take(6).ToArray()));
        var clients = mesh.Administrations.ToDictionary(a => a, mesh.Client);
        try
        {
            string[] origins = ["NL", "JP"];
            var streams = origins.Select(o => new OfficerWorkload(clients[o], o, mesh.Run)).ToList();
            using var stop = new CancellationTokenSource();
            var streaming = Task.WhenAll(streams.Select(s => s.RunAsync(profile.PerSecond, stop.Token)));

            await Task.Delay(profile.Before);
            await inject(mesh, profile);
            var healed = Stopwatch.StartNew();
            await Task.Delay(profile.After);
            await stop.CancelAsync();
            await streaming;

            var alarms = new List<string>();
            try
            {
                await Wait.UntilAsync(() => CaughtUpAsync(mesh, clients, streams), CatchUpDeadline, "every partner to hold every committed certification and every backlog to drain");
            }
            catch (TimeoutException e)
            {
                // Audit anyway: the table must say what was missing, and the links and queues say why.
                alarms.Add(e.Message);
                foreach (var (administration, client) in clients)
                {
                    alarms.Add($"{administration} links: {(await client.GetAsync("/api/partners")).ToJsonString()}");
                }

                alarms.Add("queues: " + await lab.DescribeQueuesAsync(mesh.Administrations.Select(mesh.VirtualHostOf)));
            }

            var recovery = healed.Elapsed - profile.After;

            foreach (var (administration, client) in clients)
            {
                await client.GetAsync("/api/log/checkpoint");
                alarms.AddRange((await client.GetAsync("/api/mesh/alarms")).AsArray().Select(a => $"{administration} raised an alarm: {a!.ToJsonString()}"));
            }

            var findings = await MeshAudit.RunAsync(mesh, streams);
            var result = new FaultResult(
                fault, profile.Name, streams.Sum(s => s.Sent), findings.Committed, findings.Lost, findings.Duplicated, findings.Unexpected,
                Math.Round(Math.Max(0, recovery.TotalSeconds), 1), streams.Sum(s => s.Retries), findings.ChainsVerified, findings.CheckpointsVerified,
                findings.Unendorsed, [.. alarms, .. findings.Problems]);
            await WriteAsync(result);
            return result;
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<bool> CaughtUpAsync(LabMesh mesh, Dictionary<string, Node.Tests.NodeHttpClient> clients, List<OfficerWorkload> streams)
    {
        foreach (var stream in streams)
        {
            foreach (var link in (await clients[stream.Administration].GetAsync("/api/partners")).AsArray())
            {
                if ((long)link!["backlog"]! != 0)
                {
                    return false;
                }
            }

            foreach (var partner in mesh.Administrations.Where(a => a != stream.Administration))
            {
                var shared = (await clients[partner].GetAsync($"/api/partners/{stream.Administration}/shared?kind=aeo-operator")).AsArray();
                if (shared.Count < stream.Committed.Count)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static async Task WriteAsync(FaultResult result)
    {
        var directory = Path.Combine(FaultLab.RepositoryRoot, "artifacts", "reliability", "faults");
        Directory.CreateDirectory(directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"{result.Fault}.json");
        await File.WriteAllTextAsync(Path.Combine(directory, name), JsonSerializer.Serialize(result, Json));
    }
}
