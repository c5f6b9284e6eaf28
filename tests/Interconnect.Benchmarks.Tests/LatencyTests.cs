using Interconnect.Benchmarks.Report;

namespace Interconnect.Benchmarks.Tests;

public sealed class LatencyTests
{
    [Fact]
    public void Of_OneToAHundred_TakesNearestRanks()
    {
        var latency = Latency.Of(Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList());

        Assert.Equal(new Latency(50, 99, 100), latency);
    }

    [Fact]
    public void Of_OneValue_IsThatValueThroughout()
    {
        Assert.Equal(new Latency(7.5, 7.5, 7.5), Latency.Of([7.5]));
    }

    [Fact]
    public void Of_Nothing_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => Latency.Of([]));
    }
}
