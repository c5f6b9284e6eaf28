using System.Diagnostics;
using Interconnect.Benchmarks.Report;
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
    /// <summary>The steady stream's rate.</summary>
    public const double SteadyPerSecond = 200;

    /// <summary>The drain rate's required multiple of the steady rate.</summary>
    public const double Target = 5;

    /// <summary>Callers building the backlog.</summary>
    public const int BacklogCallers = 16;

    /// <summary>The <c>catchup</c> suite.</summary>
    public static async Task<Dictionary<string, object>> RunAsync(double seconds, int backlog)
    {
        var (catchUp, memory) = await MeasureAsync(seconds, backlog).ConfigureAwait(false);
        return new Dictionary<string, object> { ["catchUp"] = catchUp, ["memory"] = memory };
    }

    /// <summary>A steady stream for <paramref name="steadySeconds"/>, then a backlog of <paramref name="backlog"/> entries and JP's catch-up.</summary>
    public static async Task<(CatchUpFigure CatchUp, MemoryFigure Memory)> MeasureAsync(double steadySeconds, int backlog)
    {
        Console.WriteLine($"--- catch-up: {SteadyPerSecond:N0} entries/s for {steadySeconds:0} s, then a backlog of {backlog:N0} with JP away");
        var batchSize = 0;
        await using var mesh = await DemoMesh.StartAsync(["NL", "JP"], MeshBenchmark.FreePort(), Microsoft.Extensions.Logging.LogLevel.Error, options => batchSize = options.Replication.BatchSize).ConfigureAwait(false);
        await new DemoScenario(mesh, TextWriter.Null).EstablishAgreementAsync().ConfigureAwait(false);
        var nl = mesh.Service<AdministrationNode>("NL");

        // Steady: the paced rate, each entry acknowledged as it goes.
        var steady = Stopwatch.StartNew();
        var count = 0;
        for (; steady.Elapsed.TotalSeconds < steadySeconds; count++)
        {
            var due = TimeSpan.FromSeconds(count / SteadyPerSecond);
            if (due > steady.Elapsed)
            {
                await Task.Delay(due - steady.Elapsed).ConfigureAwait(false);
            }

            await MeshBenchmark.Certify(nl, $"NLAEOS{count:D8}").ConfigureAwait(false);
        }

        // The rate is the paced stream's own: the wait for its last acknowledgement is not part of it.
        var steadyRate = count / steady.Elapsed.TotalSeconds;
        await MeshBenchmark.AcknowledgedAsync(mesh, TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        Console.WriteLine($"steady: {count:N0} entries at {steadyRate:N0}/s, all acknowledged");

        // Cut JP off and build the backlog.
        var jpBus = mesh.Service<IBus>("JP");
        mesh.Mesh.Leave("JP", jpBus);
        var memoryBefore = MemoryNow();
        var activeBefore = (int)nl.Grains.ActiveCount;
        var building = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, BacklogCallers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < backlog)
            {
                await MeshBenchmark.Certify(nl, $"NLAEOK{i:D8}").ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        var built = building.Elapsed.TotalSeconds;
        var memoryAfter = MemoryNow();
        var active = (int)nl.Grains.ActiveCount;
        var memory = new MemoryFigure(activeBefore, active, memoryBefore.Managed / 1048576.0, memoryAfter.Managed / 1048576.0, memoryBefore.WorkingSet / 1048576.0, memoryAfter.WorkingSet / 1048576.0);
        var link = (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP");
        Console.WriteLine($"backlog: NL signed {backlog:N0} entries in {built:N1} s ({backlog / built:N0}/s) with JP away; JP's backlog {link.Backlog:N0}");
        Console.WriteLine($"memory at NL with {active:N0} active entities: managed heap {memory.ManagedAfterMiB:N0} MiB (was {memory.ManagedBeforeMiB:N0} MiB with {activeBefore:N0}), {memory.ManagedKiBPerEntity:N2} KiB per entity; process working set {memory.WorkingSetAfterMiB:N0} MiB; the in-memory store holds every entry too");

        // JP returns: time until its acknowledgements cover the whole log.
        var catchUp = Stopwatch.StartNew();
        mesh.Mesh.Join("JP", jpBus);
        var firstAcknowledged = link.AcknowledgedThrough;
        var toFirst = await DemoMesh.WaitForAsync(
            async () => (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP").AcknowledgedThrough > firstAcknowledged,
            TimeSpan.FromMinutes(2),
            "JP's first acknowledgement after its return").ConfigureAwait(false);
        await MeshBenchmark.AcknowledgedAsync(mesh, TimeSpan.FromMinutes(30)).ConfigureAwait(false);
        var total = catchUp.Elapsed.TotalSeconds;
        var rate = backlog / (total - toFirst.TotalSeconds);
        var figure = new CatchUpFigure(steadySeconds, count, steadyRate, backlog, BacklogCallers, batchSize, built, toFirst.TotalSeconds, total, rate, Target);
        Console.WriteLine($"catch-up: {backlog:N0} entries acknowledged {total:N1} s after JP's return ({toFirst.TotalSeconds:N1} s until the sender noticed, then {rate:N0}/s), {figure.TimesSteady:N1} times the steady rate (target {Target:0})");
        return (figure, memory);
    }

    private static (long Managed, long WorkingSet) MemoryNow()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
