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
