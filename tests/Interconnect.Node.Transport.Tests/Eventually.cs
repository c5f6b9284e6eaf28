namespace Interconnect.Node.Transport.Tests;

/// <summary>Waits on a condition with a deadline (never a fixed sleep); fails saying what did not happen.</summary>
public static class Eventually
{
    /// <summary>How long a test waits for the broker and the links to do something.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Deadline"/> passes.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(Deadline);
        while (!await condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Within {Deadline.TotalSeconds} s: {what}.");
            }
        }
    }

    /// <summary>Polls a synchronous <paramref name="condition"/>.</summary>
    public static Task HoldsAsync(Func<bool> condition, string what) => HoldsAsync(() => Task.FromResult(condition()), what);
}
