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
