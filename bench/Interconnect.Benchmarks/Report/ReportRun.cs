using System.Diagnostics;

namespace Interconnect.Benchmarks.Report;

/// <summary>How long each figure of the report runs: the full run for quoting, or a quick one for checking the command.</summary>
/// <param name="Quick">Shortened durations and a smaller backlog.</param>
/// <param name="RabbitMq">The broker (amqp URI with the management API on port 15672 of the same host).</param>
/// <param name="Azurite">The Azure Table connection string.</param>
/// <param name="Commit">The source revision measured, when known.</param>
internal sealed record ReportSettings(bool Quick, string RabbitMq, string Azurite, string? Commit)
{
    /// <summary>Sign and verify are each measured this long per crypto sample.</summary>
    public double CryptoSeconds => Quick ? 0.5 : 2;

    /// <summary>The in-memory throughput run's issuing time.</summary>
    public double InMemoryIssueSeconds => Quick ? 3 : 15;

    /// <summary>The in-memory latency run's issuing time.</summary>
    public double InMemoryPacedSeconds => Quick ? 3 : 20;

    /// <summary>The brokered throughput run's issuing time (its rate is low, so it runs longer for enough entries).</summary>
    public double BrokeredIssueSeconds => Quick ? 5 : 30;

    /// <summary>The brokered latency run's issuing time.</summary>
    public double BrokeredPacedSeconds => Quick ? 5 : 40;

    /// <summary>The catch-up's steady stream.</summary>
    public double SteadySeconds => Quick ? 3 : 10;

    /// <summary>The catch-up's backlog, which is also the number of entities activated for the memory figure.</summary>
    public int Backlog => Quick ? 10_000 : 100_000;
}

/// <summary>
/// Runs every figure of the report in one process, in a fixed order, with the crypto bound sampled
/// before, between and after them, so each end-to-end ratio uses the bound of its own minutes.
/// </summary>
internal static class ReportRun
{
    public static async Task<BenchmarkReport> RunAsync(ReportSettings settings)
    {
        var startedAt = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var machine = MachineProbe.Describe();
        Console.WriteLine($"report{(settings.Quick ? " (quick)" : string.Empty)}: {machine.Cores} cores, {machine.Processor}, {machine.OperatingSystem}, {machine.Runtime}, OpenSSL {machine.OpenSsl}, load average {machine.LoadAverageAtStart:N2}");
        var samples = new List<CryptoSample>();

        // Memory first: the process's working set only grows, so taken after the meshes it would
        // measure their leftovers rather than the entities.
        Sample("at the start");
        var (catchUp, memory) = await CatchUpBenchmark.MeasureAsync(settings.SteadySeconds, settings.Backlog).ConfigureAwait(false);

        var beforeInMemory = Sample("after the catch-up");
        var inMemory = await MeshBenchmark.MeasureAsync(
            "in memory", MeshBenchmark.InMemorySetup, settings.InMemoryIssueSeconds, settings.InMemoryPacedSeconds, beforeInMemory, configure: null).ConfigureAwait(false);
        var beforeBrokered = Sample("after the in-memory mesh");
        inMemory = inMemory with { Bound = CryptoSample.Between(beforeInMemory, beforeBrokered) };

        MeshFigure brokered;
        await using (var links = await BrokeredLinks.CreateAsync(settings.RabbitMq, settings.Azurite, ["NL", "JP"]).ConfigureAwait(false))
        {
            brokered = await MeshBenchmark.MeasureAsync(
                "RabbitMQ + Azurite", MeshBenchmark.BrokeredSetup, settings.BrokeredIssueSeconds, settings.BrokeredPacedSeconds, beforeBrokered, links.Configure).ConfigureAwait(false);
        }

        var afterBrokered = Sample("after the brokered mesh");
        brokered = brokered with { Bound = CryptoSample.Between(beforeBrokered, afterBrokered) };

        return new BenchmarkReport(
            settings.Quick, startedAt, clock.Elapsed.TotalSeconds, settings.Commit,
            machine with { LoadAverageAtEnd = MachineProbe.LoadAverage() },
            samples, [inMemory, brokered], memory, catchUp);

        CryptoSample Sample(string taken)
        {
            var sample = CryptoBound.Measure(taken, settings.CryptoSeconds);
            Console.WriteLine($"crypto bound {taken}: sign {sample.SignPerSecond:N0}/s, verify {sample.VerifyPerSecond:N0}/s, {sample.EntryBoundPerSecond:N0} replicated entries/s");
            samples.Add(sample);
            return sample;
        }
    }
}
