namespace Interconnect.Benchmarks.Report;

/// <summary>Everything one run of the report measured: the JSON written to artifacts/bench/report.json.</summary>
/// <param name="Quick">A short run for checking the command, not for quoting.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="DurationSeconds">How long the whole run took.</param>
/// <param name="Commit">The source revision measured, when known.</param>
/// <param name="Machine">The machine, gathered at run time.</param>
/// <param name="CryptoBound">The crypto bound, sampled before, between and after the other figures.</param>
/// <param name="Mesh">End-to-end figures, one per configuration.</param>
/// <param name="Memory">Memory with many active entities.</param>
/// <param name="CatchUp">Catch-up after a backlog.</param>
internal sealed record BenchmarkReport(
    bool Quick,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    string? Commit,
    MachineDescription Machine,
    IReadOnlyList<CryptoSample> CryptoBound,
    IReadOnlyList<MeshFigure> Mesh,
    MemoryFigure Memory,
    CatchUpFigure CatchUp);

/// <summary>The machine a run happened on, and how busy it was.</summary>
/// <param name="Cores">Logical processors the runtime sees.</param>
/// <param name="Processor">The processor's model name.</param>
/// <param name="MemoryGiB">Physical memory.</param>
/// <param name="OperatingSystem">The operating system, as the runtime names it.</param>
/// <param name="Runtime">The .NET runtime and architecture.</param>
/// <param name="OpenSsl">The OpenSSL library .NET's cryptography is bound to.</param>
/// <param name="GarbageCollector">Workstation or server GC, and its latency mode.</param>
/// <param name="LoadAverageAtStart">The 1-minute load average when the run started.</param>
/// <param name="LoadAverageAtEnd">The 1-minute load average when the run ended.</param>
internal sealed record MachineDescription(
    int Cores,
    string Processor,
    double MemoryGiB,
    string OperatingSystem,
    string Runtime,
    string OpenSsl,
    string GarbageCollector,
    double LoadAverageAtStart,
    double LoadAverageAtEnd);

/// <summary>One sample of the crypto bound, taken at a named point of the run.</summary>
/// <param name="Taken">When in the run it was taken ("before the in-memory mesh" ...).</param>
/// <param name="SignPerSecond">Raw ECDSA P-256 signatures per second, one thread.</param>
/// <param name="VerifyPerSecond">Raw ECDSA P-256 verifications per second, one thread.</param>
/// <param name="SecondsEach">How long sign and verify were each measured.</param>
internal sealed record CryptoSample(string Taken, double SignPerSecond, double VerifyPerSecond, double SecondsEach)
{
    /// <summary>Replicated entries per second one core could sign and verify: two signatures (entry, receipt) and two verifications each.</summary>
    public double EntryBoundPerSecond => 1 / (2 / SignPerSecond + 2 / VerifyPerSecond);

    /// <summary>The mean of the samples taken just before and just after a figure: the bound that figure is set against.</summary>
    public static CryptoSample Between(CryptoSample before, CryptoSample after) => new(
        $"mean of the samples taken {before.Taken} and {after.Taken}",
        (before.SignPerSecond + after.SignPerSecond) / 2,
        (before.VerifyPerSecond + after.VerifyPerSecond) / 2,
        before.SecondsEach + after.SecondsEach);
}

/// <summary>Latency percentiles of one measured path, in milliseconds.</summary>
internal sealed record Latency(double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>Percentiles of <paramref name="milliseconds"/> (nearest rank).</summary>
    public static Latency Of(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            throw new ArgumentException("No latencies were measured.", nameof(milliseconds));
        }

        var sorted = milliseconds.Order().ToArray();
        double At(double quantile) => sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Latency(At(0.50), At(0.99), sorted[^1]);
    }
}

/// <summary>
/// End to end across two administrations in one configuration: throughput with many callers, then
/// latency at a paced rate, with the crypto bound sampled just before and just after.
/// </summary>
/// <param name="Configuration">"in memory", "RabbitMQ + Azurite".</param>
/// <param name="Setup">How the nodes, transport and storage were set up.</param>
/// <param name="Callers">Concurrent callers certifying distinct operators at NL.</param>
/// <param name="BatchSize">Most log leaves one replication message covers (the nodes' setting).</param>
/// <param name="IssueSeconds">How long the callers issued commands.</param>
/// <param name="Entries">Entries issued (all acknowledged by JP before the clock stopped).</param>
/// <param name="AcknowledgedSeconds">From the first command until JP had acknowledged every entry.</param>
/// <param name="EntriesPerSecond">Entries ÷ acknowledged seconds.</param>
/// <param name="Bound">The mean of the crypto samples taken just before and just after this figure.</param>
/// <param name="PacedPerSecond">The paced rate of the latency run (commands started on a schedule, not waiting for each other).</param>
/// <param name="PacedSeconds">How long the paced run issued commands.</param>
/// <param name="PacedEntries">Entries whose latency was measured.</param>
/// <param name="Applied">From the command's start at NL until JP had verified, stored and endorsed the entry.</param>
/// <param name="Recorded">From the command's start at NL until NL had recorded JP's endorsement.</param>
internal sealed record MeshFigure(
    string Configuration,
    string Setup,
    int Callers,
    int BatchSize,
    double IssueSeconds,
    int Entries,
    double AcknowledgedSeconds,
    double EntriesPerSecond,
    CryptoSample Bound,
    double PacedPerSecond,
    double PacedSeconds,
    int PacedEntries,
    Latency Applied,
    Latency Recorded)
{
    /// <summary>End-to-end throughput ÷ raw signatures per second.</summary>
    public double RatioToSign => EntriesPerSecond / Bound.SignPerSecond;

    /// <summary>End-to-end throughput ÷ the per-entry crypto bound (two signatures, two verifications).</summary>
    public double RatioToEntryBound => EntriesPerSecond / Bound.EntryBoundPerSecond;
}

/// <summary>Memory at the origin node before and after a backlog of distinct entities was activated, after a forced full collection.</summary>
/// <param name="ActiveBefore">Active entities (grain activations) at NL before.</param>
/// <param name="ActiveAfter">Active entities at NL after.</param>
/// <param name="ManagedBeforeMiB">Managed heap before.</param>
/// <param name="ManagedAfterMiB">Managed heap after.</param>
/// <param name="WorkingSetBeforeMiB">Process working set (both nodes) before.</param>
/// <param name="WorkingSetAfterMiB">Process working set after.</param>
internal sealed record MemoryFigure(
    int ActiveBefore,
    int ActiveAfter,
    double ManagedBeforeMiB,
    double ManagedAfterMiB,
    double WorkingSetBeforeMiB,
    double WorkingSetAfterMiB)
{
    /// <summary>Managed heap added per activated entity, in KiB.</summary>
    public double ManagedKiBPerEntity => PerEntityKiB(ManagedAfterMiB - ManagedBeforeMiB);

    /// <summary>Working set added per activated entity, in KiB.</summary>
    public double WorkingSetKiBPerEntity => PerEntityKiB(WorkingSetAfterMiB - WorkingSetBeforeMiB);

    private double PerEntityKiB(double mebibytes) => ActiveAfter > ActiveBefore ? mebibytes * 1024 / (ActiveAfter - ActiveBefore) : 0;
}

/// <summary>Catch-up after a partner was away while a backlog built up, against the steady rate.</summary>
/// <param name="SteadySeconds">How long the steady stream ran.</param>
/// <param name="SteadyEntries">Entries in the steady stream, each acknowledged as it went.</param>
/// <param name="SteadyPerSecond">The steady stream's rate.</param>
/// <param name="Backlog">Entries certified at NL while JP was away.</param>
/// <param name="BacklogCallers">Concurrent callers that built the backlog.</param>
/// <param name="BatchSize">Most log leaves one replication message covers (the nodes' setting).</param>
/// <param name="BacklogSignedSeconds">How long NL took to sign the backlog.</param>
/// <param name="SecondsUntilFirstAcknowledgement">From JP's return until its first new acknowledgement.</param>
/// <param name="CatchUpSeconds">From JP's return until it had acknowledged the whole backlog.</param>
/// <param name="DrainPerSecond">Backlog ÷ the time from the first new acknowledgement to the last.</param>
/// <param name="Target">The drain rate's required multiple of the steady rate.</param>
internal sealed record CatchUpFigure(
    double SteadySeconds,
    int SteadyEntries,
    double SteadyPerSecond,
    int Backlog,
    int BacklogCallers,
    int BatchSize,
    double BacklogSignedSeconds,
    double SecondsUntilFirstAcknowledgement,
    double CatchUpSeconds,
    double DrainPerSecond,
    double Target)
{
    /// <summary>Drain rate ÷ steady rate.</summary>
    public double TimesSteady => DrainPerSecond / SteadyPerSecond;

    /// <summary>Whether the drain rate reached the target multiple.</summary>
    public bool TargetMet => TimesSteady >= Target;
}

/// <summary>The report's JSON form (camelCase, indented), written by the run and read back by the renderer.</summary>
internal static class ReportJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The report as JSON.</summary>
    public static string Write(BenchmarkReport report) => System.Text.Json.JsonSerializer.Serialize(report, Options);

    /// <summary>A report from its JSON; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static BenchmarkReport Read(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<BenchmarkReport>(json, Options) ?? throw new InvalidDataException("The report's JSON is null.");
}
