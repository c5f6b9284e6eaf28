using System.Diagnostics;
using System.Security.Cryptography;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;
using Interconnect.Storage.AzureTable;
using Interconnect.Storage.InMemory;

namespace Interconnect.Benchmarks;

/// <summary>
/// Grain operations per second on each storage provider: every operation is a command on an AEO
/// operator grain (decide, seal, sign, conditional append, Merkle log record). Measured next to
/// the raw ECDSA sign rate of the same run.
/// </summary>
internal static class GrainBenchmark
{
    public static async Task<Dictionary<string, object>> RunAsync(double seconds, string? azurite)
    {
        using var bound = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var input = new byte[420];
        var rawSign = Measure.For("raw ECDSA P-256 sign", seconds, 64, () =>
        {
            for (var i = 0; i < 64; i++)
            {
                bound.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        });
        Console.WriteLine(rawSign);
        var results = new Dictionary<string, object> { ["rawSignPerSecond"] = rawSign.PerSecond };

        var memorySequential = await RunProviderAsync("in-memory, 1 caller", new InMemoryNodeStore(), callers: 1, seconds);
        var memoryParallel = await RunProviderAsync("in-memory, 8 callers", new InMemoryNodeStore(), callers: 8, seconds);
        results["inMemorySequentialPerSecond"] = memorySequential.PerSecond;
        results["inMemorySequentialRatioToRawSign"] = memorySequential.PerSecond / rawSign.PerSecond;
        results["inMemory8CallersPerSecond"] = memoryParallel.PerSecond;
        Console.WriteLine($"ratio in-memory (1 caller) / raw sign   {memorySequential.PerSecond / rawSign.PerSecond:N3}  (target >= 0.6)");

        if (azurite is not null)
        {
            using var http = new HttpClient();
            var options = new AzureTableStorageOptions { ConnectionString = azurite, TablePrefix = "bench" + Environment.ProcessId };
            var store = new AzureTableNodeStore(options, http, TimeProvider.System);
            var azureSequential = await RunProviderAsync("Azurite, 1 caller", store, callers: 1, seconds);
            var azureParallel = await RunProviderAsync("Azurite, 16 callers", store, callers: 16, seconds);
            results["azuriteSequentialPerSecond"] = azureSequential.PerSecond;
            results["azurite16CallersPerSecond"] = azureParallel.PerSecond;
            results["azurite16CallersRatioToRawSign"] = azureParallel.PerSecond / rawSign.PerSecond;
        }

        return results;
    }

    private static async Task<Rate> RunProviderAsync(string name, INodeStore store, int callers, double seconds)
    {
        await store.InitializeAsync();
        using var signer = EcdsaP256Signer.Generate();
        var administration = $"B{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        using var log = new NodeLog(administration, store.Log, store.Entities, signer, TimeProvider.System);
        await log.StartAsync();
        var context = new AdministrationContext(administration, signer, store, log, TimeProvider.System);
        await using var runtime = new GrainRuntime(TimeProvider.System);
        runtime.Register<IAeoOperatorGrain>(_ => new AeoOperatorGrain(context));

        var grains = new IAeoOperatorGrain[callers];
        for (var c = 0; c < callers; c++)
        {
            grains[c] = runtime.GetGrain<IAeoOperatorGrain>($"NLAEOF{c:D7}");
            await grains[c].Certify(new CertifyAeoOperator("Example Logistics B.V.", "Havenstraat 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), null));
        }

        // Each caller alternates suspend and reinstate on its own operator: always legal, always a new entry.
        long operations = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(grains.Select(async grain =>
        {
            var suspended = false;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                if (suspended)
                {
                    await grain.Reinstate(new ReinstateAeoCertification("Corrective measures verified"));
                }
                else
                {
                    await grain.Suspend(new SuspendAeoCertification("Audit finding under review"));
                }

                suspended = !suspended;
                Interlocked.Increment(ref operations);
            }
        }));

        var rate = new Rate($"grain ops, {name}", operations, clock.Elapsed.TotalSeconds);
        Console.WriteLine(rate);
        return rate;
    }
}
