using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Interconnect.Node.Tests;

namespace Interconnect.Reliability.Tests;

/// <summary>
/// An officer certifying AEO operators at a steady rate at one administration, over HTTP. Each
/// certification is retried until its outcome is known (a 201, or a 409 for an operator that an
/// earlier attempt whose answer was lost did certify), as a Single Window integration would, so
/// that at the end the set of committed certifications is exact.
/// </summary>
public sealed class OfficerWorkload(NodeHttpClient origin, string administration, string runId)
{
    private static readonly TimeSpan ResolveWithin = TimeSpan.FromMinutes(3);
    private readonly ConcurrentDictionary<string, bool> _committed = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _unresolved = [];
    private int _attempts;
    private int _sent;

    /// <summary>The origin administration.</summary>
    public string Administration { get; } = administration;

    /// <summary>AEO numbers whose certification the origin committed.</summary>
    public IReadOnlyCollection<string> Committed => [.. _committed.Keys];

    /// <summary>Certifications whose outcome stayed unknown (each one counts as lost).</summary>
    public IReadOnlyCollection<string> Unresolved => [.. _unresolved];

    /// <summary>Certifications started.</summary>
    public int Sent => _sent;

    /// <summary>HTTP attempts beyond the first of each certification.</summary>
    public int Retries => _attempts - _sent;

    /// <summary>Starts one certification every 1/<paramref name="perSecond"/> s until <paramref name="stop"/> is cancelled, then waits for every outcome.</summary>
    public async Task RunAsync(double perSecond, CancellationToken stop)
    {
        var inFlight = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        var next = 0;
        while (!stop.IsCancellationRequested)
        {
            var number = $"{Administration}AEO{runId.ToUpperInvariant()}{next++.ToString("D6", CultureInfo.InvariantCulture)}";
            Interlocked.Increment(ref _sent);
            inFlight.Add(CertifyAsync(number));
            var due = interval * next - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(due, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task CertifyAsync(string number)
    {
        var started = Stopwatch.StartNew();
        var body = new { aeoNumber = number, name = "Operator " + number, address = "Kade 1, Rotterdam", programme = "AEOF", certifiedOn = "2026-01-15" };
        while (started.Elapsed < ResolveWithin)
        {
            Interlocked.Increment(ref _attempts);
            try
            {
                try
                {
                    await origin.PostAsync("/api/aeo-operators", body, HttpStatusCode.Created);
                }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.Conflict)
                {
                    // An earlier attempt committed, but its answer was lost: the operator must be ours already.
                    if (await origin.FindAsync($"/api/aeo-operators/{number}") is null)
                    {
                        throw new InvalidOperationException($"{Administration} refused certifying {number} with 409 but does not hold it: {e.Message}", e);
                    }
                }

                _committed[number] = true;
                return;
            }
            catch (HttpRequestException e) when (e.StatusCode is null or >= HttpStatusCode.InternalServerError)
            {
                // The node or its storage is down; the outcome is unknown until an attempt answers.
            }
            catch (TaskCanceledException)
            {
                // Timed out: unknown too.
            }

            await Task.Delay(250);
        }

        _unresolved.Add(number);
    }
}
