using System.Collections.Concurrent;
using System.Diagnostics;
using Interconnect.Benchmarks.Report;
using Interconnect.Grains.AeoOperators;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Benchmarks;

/// <summary>
/// End to end across two administrations: NL signs and stores an AEO entry, JP verifies, stores and
/// endorses it, NL verifies and records JP's signed receipt. Throughput (many callers) and latency
/// (p50/p99 at a paced rate), in memory and on RabbitMQ + Azurite, next to the crypto bound of the
/// same run: per entry two signatures (entry, receipt) and two verifications, on one core.
/// </summary>
internal static class MeshBenchmark
{
    /// <summary>Callers certifying distinct operators in the throughput run.</summary>
    public const int Callers = 16;

    /// <summary>The highest paced rate of a latency run; lower where the configuration cannot sustain four times that.</summary>
    public const double MaxPacedPerSecond = 200;

    /// <summary>How the in-memory configuration is set up.</summary>
    public const string InMemorySetup = "NL and JP in one process (the demo mesh): in-memory bus and in-memory storage";

    /// <summary>How the brokered configuration is set up.</summary>
    public const string BrokeredSetup = "NL and JP in one process, each on its own RabbitMQ vhost (partner links through the node-side forwarder with publisher confirms) and its own Azurite tables";

    /// <summary>The <c>mesh</c> suite: the bound, the in-memory figure and, given a broker and Azurite, the brokered one.</summary>
    public static async Task<Dictionary<string, object>> RunAsync(double seconds, string? rabbitMq, string? azurite)
    {
        var bound = CryptoBound.Measure("at the start", Math.Min(seconds, 2));
        Console.WriteLine($"raw sign {bound.SignPerSecond:N0}/s, raw verify {bound.VerifyPerSecond:N0}/s: crypto bound per replicated entry {bound.EntryBoundPerSecond:N0}/s (one core)");
        var figures = new List<MeshFigure> { await MeasureAsync("in memory", InMemorySetup, seconds, seconds, bound, configure: null).ConfigureAwait(false) };
        if (rabbitMq is not null && azurite is not null)
        {
            await using var links = await BrokeredLinks.CreateAsync(rabbitMq, azurite, ["NL", "JP"]).ConfigureAwait(false);
            figures.Add(await MeasureAsync("RabbitMQ + Azurite", BrokeredSetup, seconds, seconds, bound, links.Configure).ConfigureAwait(false));
        }

        return new Dictionary<string, object> { ["cryptoBound"] = bound, ["mesh"] = figures };
    }

    /// <summary>
    /// Starts NL and JP under an MRA, then measures throughput (<see cref="Callers"/> callers for
    /// <paramref name="issueSeconds"/>, the clock running until JP has acknowledged everything) and
    /// latency (commands started on a schedule for <paramref name="pacedSeconds"/>).
    /// </summary>
    public static async Task<MeshFigure> MeasureAsync(string configuration, string setup, double issueSeconds, double pacedSeconds, CryptoSample bound, Action<NodeOptions>? configure)
    {
        Console.WriteLine($"--- {configuration}: {Callers} callers for {issueSeconds:0} s, then a paced run for {pacedSeconds:0} s");
        var batchSize = 0;
        await using var mesh = await DemoMesh.StartAsync(["NL", "JP"], FreePort(), Microsoft.Extensions.Logging.LogLevel.Error, options =>
        {
            configure?.Invoke(options);
            batchSize = options.Replication.BatchSize;
        }).ConfigureAwait(false);
        await new DemoScenario(mesh, TextWriter.Null).EstablishAgreementAsync().ConfigureAwait(false);
        await AcknowledgedAsync(mesh, TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        var nl = mesh.Service<AdministrationNode>("NL");
        var jp = mesh.Service<AdministrationNode>("JP");

        // Warm-up: the same load until the JIT has settled at both nodes, then JP catches up, so the
        // throughput run starts from optimized code and an acknowledged log.
        var warmed = 0;
        var warmUp = await Warm.UntilCompiledAsync(seconds => IssueAsync(nl, "NLAEOW", seconds, () => Interlocked.Increment(ref warmed)), configure is null ? MaxWarmUpSeconds : MaxBrokeredWarmUpSeconds).ConfigureAwait(false);
        await AcknowledgedAsync(mesh, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        Console.WriteLine($"{configuration}: {warmUp}, {warmed:N0} entries, all acknowledged");

        // Throughput: distinct operators, so the figure is the mesh's, not one grain's turn.
        var clock = Stopwatch.StartNew();
        var issued = 0;
        await IssueAsync(nl, "NLAEOB", issueSeconds, () => Interlocked.Increment(ref issued)).ConfigureAwait(false);
        var signedAll = clock.Elapsed.TotalSeconds;
        await AcknowledgedAsync(mesh, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var rate = issued / elapsed;
        Console.WriteLine($"{configuration}: {rate:N0} entries/s end to end ({issued:N0} in {elapsed:N2} s; NL signed them in {signedAll:N2} s)");

        // Latency: commands start on a schedule and do not wait for each other, so a slow one does
        // not hold back the next start (which would hide the queueing it causes). A quarter of the
        // measured throughput leaves room for the shared machine's slower minutes; at half, the
        // brokered mesh fell behind when others loaded the emulator, and measured its own queue.
        var paced = Math.Min(MaxPacedPerSecond, Math.Max(1, Math.Floor(rate / 4)));
        var started = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var commands = new List<Task>();
        var pace = Stopwatch.StartNew();
        for (var i = 0; i / paced < pacedSeconds; i++)
        {
            var due = TimeSpan.FromSeconds(i / paced);
            if (due > pace.Elapsed)
            {
                await Task.Delay(due - pace.Elapsed).ConfigureAwait(false);
            }

            var number = $"NLAEOP{i:D8}";
            started[number] = TimeProvider.System.GetUtcNow();
            commands.Add(Certify(nl, number));
        }

        await Task.WhenAll(commands).ConfigureAwait(false);
        await AcknowledgedAsync(mesh, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        var applied = new ConcurrentBag<double>();
        var recorded = new ConcurrentBag<double>();
        await Parallel.ForEachAsync(started, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (command, cancellationToken) =>
        {
            // Both nodes run on this process's clock, so their timestamps compare directly. JP saves
            // its own endorsement right after storing the entry; NL saves JP's when it has verified it.
            var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, command.Key);
            var atJp = (await jp.Store.Receipts.ListAsync(entity, cancellationToken).ConfigureAwait(false)).Single(r => r.Issuer == "JP");
            var atNl = (await nl.Store.Receipts.ListAsync(entity, cancellationToken).ConfigureAwait(false)).Single(r => r.Issuer == "JP");
            applied.Add((atJp.ReceivedAt - command.Value).TotalMilliseconds);
            recorded.Add((atNl.ReceivedAt - command.Value).TotalMilliseconds);
        }).ConfigureAwait(false);

        var figure = new MeshFigure(
            configuration, setup, Callers, batchSize, issueSeconds, issued, elapsed, rate, bound,
            paced, pacedSeconds, started.Count, Latency.Of(applied), Latency.Of(recorded));
        Console.WriteLine($"{configuration}: at {paced:N0} entries/s ({started.Count:N0} entries) applied at JP p50 {figure.Applied.P50Ms:N1} ms, p99 {figure.Applied.P99Ms:N1} ms; endorsement recorded at NL p50 {figure.Recorded.P50Ms:N1} ms, p99 {figure.Recorded.P99Ms:N1} ms");
        return figure;
    }

    // The cap, not the JIT, ended the in-memory warm-up in the runs of 2026-12-04 (two nodes' ASP.NET
    // Core, MassTransit, OpenTelemetry and Orleans were still compiling after 40 s; the line printed
    // says so). Brokered, every warm-up entry must also drain through the broker and Azurite before
    // the run starts, so it is cut shorter.
    private const double MaxWarmUpSeconds = 40;
    private const double MaxBrokeredWarmUpSeconds = 10;

    // Callers certifying distinct operators (numbered from the counter) for the given time.
    private static Task IssueAsync(AdministrationNode nl, string prefix, double seconds, Func<int> next)
    {
        var clock = Stopwatch.StartNew();
        return Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                await Certify(nl, $"{prefix}{next():D8}").ConfigureAwait(false);
            }
        }));
    }

    /// <summary>JP has acknowledged NL's whole log: every entry verified, stored, endorsed and its receipt recorded at NL.</summary>
    public static Task<TimeSpan> AcknowledgedAsync(DemoMesh mesh, TimeSpan timeout) =>
        DemoMesh.WaitForAsync(
            async () => (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP").Backlog == 0,
            timeout,
            "JP's acknowledgement of NL's log");

    /// <summary>Certifies a new AEO operator at NL: one signed entry.</summary>
    public static Task<AeoOperatorView> Certify(AdministrationNode nl, string number) =>
        nl.Grains.GetGrain<IAeoOperatorGrain>(number).Certify(new CertifyAeoOperator("Operator " + number, "Kade 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), null));

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port < 65000 ? port : 41000;
    }
}
