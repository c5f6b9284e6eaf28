using System.Diagnostics;
using Interconnect.Grains.AeoOperators;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using MassTransit;

namespace Interconnect.Benchmarks;

/// <summary>
/// Catch-up and memory, in memory: NL and JP under an MRA. First a steady stream at a paced rate,
/// then JP is cut off (its bus leaves the in-memory mesh) while NL certifies a backlog of distinct
/// operators, then JP returns and the time until it has acknowledged the whole backlog is measured.
/// The catch-up rate is set against the steady rate (target: at least 5 times). The backlog's
/// operators stay activated at NL, so NL's memory is also taken with that many active entities.
/// </summary>
internal static class CatchUpBenchmark
{
    private const double SteadyPerSecond = 200;

    public static async Task<Dictionary<string, object>> RunAsync(double seconds, int backlog)
    {
        var results = new Dictionary<string, object>();
        await using var mesh = await DemoMesh.StartAsync(["NL", "JP"], MeshBenchmark.FreePort(), Microsoft.Extensions.Logging.LogLevel.Error).ConfigureAwait(false);
        await new DemoScenario(mesh, TextWriter.Null).EstablishAgreementAsync().ConfigureAwait(false);
        var nl = mesh.Service<AdministrationNode>("NL");

        // Steady: the paced rate, each entry acknowledged as it goes.
        var steady = Stopwatch.StartNew();
        var count = 0;
        for (; steady.Elapsed.TotalSeconds < seconds; count++)
        {
            var due = TimeSpan.FromSeconds(count / SteadyPerSecond);
            if (due > steady.Elapsed)
            {
                await Task.Delay(due - steady.Elapsed).ConfigureAwait(false);
            }

            await Certify(nl, $"NLAEOS{count:D8}").ConfigureAwait(false);
        }

        await AcknowledgedAsync(mesh, TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        var steadyRate = count / steady.Elapsed.TotalSeconds;
        Console.WriteLine($"steady: {count:N0} entries at {steadyRate:N0}/s, all acknowledged");

        // Cut JP off and build the backlog.
        var jpBus = mesh.Service<IBus>("JP");
        mesh.Mesh.Leave("JP", jpBus);
        var memoryBefore = MemoryNow();
        var activeBefore = nl.Grains.ActiveCount;
        var building = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < backlog)
            {
                await Certify(nl, $"NLAEOK{i:D8}").ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        var built = building.Elapsed.TotalSeconds;
        var memoryAfter = MemoryNow();
        var active = nl.Grains.ActiveCount;
        var link = (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP");
        Console.WriteLine($"backlog: NL signed {backlog:N0} entries in {built:N1} s ({backlog / built:N0}/s) with JP away; JP's backlog {link.Backlog:N0}");
        Console.WriteLine($"memory at NL with {active:N0} active entities: managed heap {memoryAfter.Managed / 1048576.0:N0} MiB (was {memoryBefore.Managed / 1048576.0:N0} MiB with {activeBefore:N0}), process working set {memoryAfter.WorkingSet / 1048576.0:N0} MiB; the in-memory store holds every entry too");

        // JP returns: time until its acknowledgements cover the whole log.
        var catchUp = Stopwatch.StartNew();
        mesh.Mesh.Join("JP", jpBus);
        var firstAcknowledged = link.AcknowledgedThrough;
        var toFirst = await DemoMesh.WaitForAsync(
            async () => (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP").AcknowledgedThrough > firstAcknowledged,
            TimeSpan.FromMinutes(2),
            "JP's first acknowledgement after its return").ConfigureAwait(false);
        await AcknowledgedAsync(mesh, TimeSpan.FromMinutes(30)).ConfigureAwait(false);
        var total = catchUp.Elapsed.TotalSeconds;
        var draining = total - toFirst.TotalSeconds;
        var rate = backlog / draining;
        Console.WriteLine($"catch-up: {backlog:N0} entries acknowledged {total:N1} s after JP's return ({toFirst.TotalSeconds:N1} s until the sender noticed, then {rate:N0}/s), {rate / steadyRate:N1} times the steady rate (target 5)");

        results["steadyEntriesPerSecond"] = steadyRate;
        results["backlogEntries"] = backlog;
        results["backlogSignedPerSecond"] = backlog / built;
        results["activeEntities"] = active;
        results["managedHeapMiB"] = memoryAfter.Managed / 1048576.0;
        results["workingSetMiB"] = memoryAfter.WorkingSet / 1048576.0;
        results["secondsUntilFirstAcknowledgement"] = toFirst.TotalSeconds;
        results["catchUpSeconds"] = total;
        results["catchUpEntriesPerSecond"] = rate;
        results["catchUpTimesSteadyRate"] = rate / steadyRate;
        return results;
    }

    private static (long Managed, long WorkingSet) MemoryNow()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (GC.GetTotalMemory(forceFullCollection: true), Process.GetCurrentProcess().WorkingSet64);
    }

    private static Task<TimeSpan> AcknowledgedAsync(DemoMesh mesh, TimeSpan timeout) =>
        DemoMesh.WaitForAsync(
            async () => (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP").Backlog == 0,
            timeout,
            "JP's acknowledgement of NL's log");

    private static Task<AeoOperatorView> Certify(AdministrationNode nl, string number) =>
        nl.Grains.GetGrain<IAeoOperatorGrain>(number).Certify(new CertifyAeoOperator("Operator " + number, "Kade 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), null));
}
