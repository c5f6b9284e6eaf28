using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// Writes log lines to the test's output, so a failing link test shows what the forwarder saw, and
/// keeps the events so a test can wait for one (the only way to see a message was tried and refused).
/// </summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    /// <summary>Every event logged, with its formatted message.</summary>
    public ConcurrentQueue<(EventId Id, string Message)> Events { get; } = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class TestOutputLogger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception);
            provider.Events.Enqueue((eventId, message));
            try
            {
                provider.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {message}{(exception is null ? "" : $" | {exception.GetType().Name}: {exception.Message} (cause: {exception.GetBaseException().Message})")}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }

    private void WriteLine(string line) => output.WriteLine(line);
}
