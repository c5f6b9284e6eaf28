using System.Diagnostics;

namespace Interconnect.Benchmarks;

/// <summary>One timed figure: operations, elapsed time and rate.</summary>
internal sealed record Rate(string Name, long Operations, double Seconds)
{
    public double PerSecond => Operations / Seconds;

    public override string ToString() => $"{Name,-34} {PerSecond,12:N0} /s  ({Operations:N0} in {Seconds:N2} s)";
}

/// <summary>Runs a body repeatedly for at least a minimum time after a warm-up.</summary>
internal static class Measure
{
    /// <summary>Calls <paramref name="batch"/> (which does <paramref name="batchSize"/> operations) until <paramref name="minSeconds"/> pass.</summary>
    public static Rate For(string name, double minSeconds, int batchSize, Action batch)
    {
        var warmUntil = Stopwatch.StartNew();
        while (warmUntil.Elapsed.TotalSeconds < Math.Min(0.3, minSeconds / 4))
        {
            batch();
        }

        long operations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < minSeconds)
        {
            batch();
            operations += batchSize;
        }

        return new Rate(name, operations, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>
/// Measures a pipeline against its bound in alternating rounds (A B A B ...), so a change in the
/// machine's speed affects both alike; the ratio quoted is the median of the per-round ratios.
/// </summary>
internal static class Paired
{
    public static (Rate Bound, Rate Pipeline, double MedianRatio) Measure(
        string boundName, string pipelineName, int rounds, double secondsPerRound, int batchSize, Action bound, Action pipeline)
    {
        var ratios = new List<double>(rounds);
        double boundOps = 0, boundSeconds = 0, pipeOps = 0, pipeSeconds = 0;
        for (var round = 0; round < rounds; round++)
        {
            var b = Benchmarks.Measure.For(boundName, secondsPerRound, batchSize, bound);
            var p = Benchmarks.Measure.For(pipelineName, secondsPerRound, batchSize, pipeline);
            ratios.Add(p.PerSecond / b.PerSecond);
            boundOps += b.Operations;
            boundSeconds += b.Seconds;
            pipeOps += p.Operations;
            pipeSeconds += p.Seconds;
        }

        ratios.Sort();
        return (new Rate(boundName, (long)boundOps, boundSeconds), new Rate(pipelineName, (long)pipeOps, pipeSeconds), ratios[ratios.Count / 2]);
    }
}

/// <summary>How a workload was warmed up: for how long, and whether tiered compilation had settled.</summary>
internal sealed record WarmUp(double Seconds, long MethodsCompiled, bool Settled)
{
    public override string ToString() =>
        $"warm-up {Seconds:N1} s, {MethodsCompiled:N0} methods compiled{(Settled ? string.Empty : ", still compiling when the time ran out")}";
}

/// <summary>
/// Runs a workload until the JIT has settled: Orleans brings thousands of methods that start
/// unoptimized (tier 0), and the background compiler that promotes the hot ones shares the two
/// cores with everything else on the machine, so on a loaded machine it takes ten seconds or more;
/// a fixed half-second warm-up measured mostly tier-0 code. A steady node runs optimized code.
/// </summary>
internal static class Warm
{
    private const double ChunkSeconds = 0.25;
    private const int QuietChunks = 4;
    private const int QuietMethods = 2;

    /// <summary>
    /// Calls <paramref name="run"/> with a quarter of a second at a time until four calls in a row
    /// compiled at most two methods (a timer's stragglers), or <paramref name="maxSeconds"/> passed.
    /// </summary>
    public static async Task<WarmUp> UntilCompiledAsync(Func<double, Task> run, double maxSeconds)
    {
        var clock = Stopwatch.StartNew();
        var atStart = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quiet = 0;
        while (quiet < QuietChunks && clock.Elapsed.TotalSeconds < maxSeconds)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await run(ChunkSeconds).ConfigureAwait(false);
            quiet = System.Runtime.JitInfo.GetCompiledMethodCount() - before <= QuietMethods ? quiet + 1 : 0;
        }

        return new WarmUp(clock.Elapsed.TotalSeconds, System.Runtime.JitInfo.GetCompiledMethodCount() - atStart, quiet >= QuietChunks);
    }
}
