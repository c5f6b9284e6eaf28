using System.Diagnostics;
using System.Security.Cryptography;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.AzureTable;
using Interconnect.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Interconnect.Benchmarks;

/// <summary>
/// Grain operations per second on each storage provider: every operation is a command on an AEO
/// operator grain (decide, seal, sign, conditional append, Merkle log record). Measured next to
/// the raw ECDSA sign rate of the same run; in memory in paired rounds (sign, grains, sign,
/// grains ...) with the median of the per-round ratios, as the ledger benchmark does, because the
/// shared machine's speed drifts by more than the effects being measured.
/// </summary>
internal static class GrainBenchmark
{
    public static async Task<Dictionary<string, object>> RunAsync(double seconds, string? azurite)
    {
        using var bound = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var input = new byte[420];
        void RawSign()
        {
            for (var i = 0; i < 64; i++)
            {
                bound.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }

        var rounds = Math.Max(3, (int)Math.Round(seconds * 2)); // half-second rounds follow the drift closely
        var rawSign = Measure.For("raw ECDSA P-256 sign", seconds, 64, RawSign);
        Console.WriteLine(rawSign);
        var results = new Dictionary<string, object> { ["rawSignPerSecond"] = rawSign.PerSecond, ["pairedRounds"] = rounds };

        var (sequentialBound, sequential, sequentialRatio) = await PairedInMemoryAsync("in-memory, 1 caller", 1, rounds, seconds / rounds, RawSign);
        var (parallelBound, parallel, parallelRatio) = await PairedInMemoryAsync("in-memory, 8 callers", 8, rounds, seconds / rounds, RawSign);
        results["inMemorySequentialPerSecond"] = sequential.PerSecond;
        results["inMemorySequentialBoundPerSecond"] = sequentialBound.PerSecond;
        results["inMemorySequentialRatioToRawSign"] = sequentialRatio;
        results["inMemory8CallersPerSecond"] = parallel.PerSecond;
        results["inMemory8CallersBoundPerSecond"] = parallelBound.PerSecond;
        results["inMemory8CallersRatioToRawSign"] = parallelRatio;
        Console.WriteLine($"ratio in-memory (1 caller) / raw sign   {sequentialRatio:N3}  (median of {rounds} paired rounds; target >= 0.6)");
        Console.WriteLine($"ratio in-memory (8 callers) / raw sign  {parallelRatio:N3}  (median of {rounds} paired rounds; one core's bound, two cores used)");

        if (azurite is not null)
        {
            using var http = new HttpClient();
            var options = new AzureTableStorageOptions { ConnectionString = azurite, TablePrefix = "bench" + Environment.ProcessId };
            var store = new AzureTableNodeStore(options, http, TimeProvider.System);
            await store.InitializeAsync();
            try
            {
                // I/O bound: measured straight, against the bound measured at the start of this run.
                foreach (var callers in new[] { 1, 16 })
                {
                    await using var run = await GrainRun.StartAsync(store, callers);
                    await run.MeasureAsync(Math.Min(1, seconds / 4));
                    var rate = await run.MeasureAsync(seconds);
                    Console.WriteLine(rate with { Name = $"grain ops, Azurite, {callers} caller{(callers == 1 ? string.Empty : "s")}" });
                    results[callers == 1 ? "azuriteSequentialPerSecond" : "azurite16CallersPerSecond"] = rate.PerSecond;
                    results[callers == 1 ? "azuriteSequentialRatioToRawSign" : "azurite16CallersRatioToRawSign"] = rate.PerSecond / rawSign.PerSecond;
                }
            }
            finally
            {
                // Azurite keeps every table in one JSON file it rewrites as it goes; leftover benchmark
                // tables slow every later run (and every other user of the emulator).
                await store.DeleteTablesAsync();
            }
        }

        return results;
    }

    // The JIT settles within this on a loaded machine (about 15 s at a load average of 20); quiet, in a few seconds.
    private const double MaxWarmUpSeconds = 40;

    private static async Task<(Rate Bound, Rate Grains, double MedianRatio)> PairedInMemoryAsync(
        string name, int callers, int rounds, double secondsPerRound, Action rawSign)
    {
        var store = new InMemoryNodeStore();
        await using var run = await GrainRun.StartAsync(store, callers);
        var warmUp = await Warm.UntilCompiledAsync(run.MeasureAsync, MaxWarmUpSeconds);
        Console.WriteLine($"{name}: {warmUp}");
        var ratios = new List<double>(rounds);
        double boundOps = 0, boundSeconds = 0, grainOps = 0, grainSeconds = 0;
        for (var round = 0; round < rounds; round++)
        {
            var b = Measure.For("raw ECDSA P-256 sign", secondsPerRound, 64, rawSign);
            var g = await run.MeasureAsync(secondsPerRound);
            ratios.Add(g.PerSecond / b.PerSecond);
            boundOps += b.Operations;
            boundSeconds += b.Seconds;
            grainOps += g.Operations;
            grainSeconds += g.Seconds;
        }

        ratios.Sort();
        var bound = new Rate($"  raw sign, paired with {callers}", (long)boundOps, boundSeconds);
        var grains = new Rate($"grain ops, {name}", (long)grainOps, grainSeconds);
        Console.WriteLine(bound);
        Console.WriteLine(grains);
        return (bound, grains, ratios[ratios.Count / 2]);
    }

    /// <summary>
    /// One administration's grains on a store, in a real Orleans silo called as the node calls it
    /// (from the silo's own process), each caller alternating suspend and reinstate on its own operator.
    /// </summary>
    private sealed class GrainRun : IAsyncDisposable
    {
        private readonly EcdsaP256Signer _signer;
        private readonly IHost _silo;
        private readonly IAeoOperatorGrain[] _grains;
        private readonly bool[] _suspended;

        private GrainRun(EcdsaP256Signer signer, IHost silo, IAeoOperatorGrain[] grains)
        {
            _signer = signer;
            _silo = silo;
            _grains = grains;
            _suspended = new bool[grains.Length];
        }

        public static async Task<GrainRun> StartAsync(INodeStore store, int callers)
        {
            var signer = EcdsaP256Signer.Generate();
            var administration = $"B{Guid.NewGuid():N}"[..12].ToUpperInvariant();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(Node.Hosting.NodeSilo.FreePort(), gatewayPort: 0, serviceId: "bench", clusterId: administration.ToLowerInvariant())
                .AddInterconnectGrains(sp => new AdministrationContext(
                    administration, signer, store, new ClusterLog(sp.GetRequiredService<IGrainFactory>(), administration), TimeProvider.System)));
            var host = builder.Build();
            await host.StartAsync();
            var factory = host.Services.GetRequiredService<IGrainFactory>();
            var grains = new IAeoOperatorGrain[callers];
            for (var c = 0; c < callers; c++)
            {
                grains[c] = factory.GetGrain<IAeoOperatorGrain>($"NLAEOF{c:D7}");
                await grains[c].Certify(new CertifyAeoOperator("Example Logistics B.V.", "Havenstraat 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), null));
            }

            return new GrainRun(signer, host, grains);
        }

        /// <summary>Runs every caller for <paramref name="seconds"/>; each operation is always legal and always a new entry.</summary>
        public async Task<Rate> MeasureAsync(double seconds)
        {
            long operations = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(_grains.Select(async (grain, c) =>
            {
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    if (_suspended[c])
                    {
                        await grain.Reinstate(new ReinstateAeoCertification("Corrective measures verified"));
                    }
                    else
                    {
                        await grain.Suspend(new SuspendAeoCertification("Audit finding under review"));
                    }

                    _suspended[c] = !_suspended[c];
                    Interlocked.Increment(ref operations);
                }
            }));

            return new Rate($"grain ops, {_grains.Length} callers", operations, clock.Elapsed.TotalSeconds);
        }

        public async ValueTask DisposeAsync()
        {
            await _silo.StopAsync();
            _silo.Dispose();
            _signer.Dispose();
        }
    }
}
