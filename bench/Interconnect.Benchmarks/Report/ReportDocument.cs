using System.Globalization;
using System.Text;

namespace Interconnect.Benchmarks.Report;

/// <summary>
/// The report as a Markdown section between two markers, and the rewrite of docs/benchmarks.md that
/// puts it in place: between the markers when they are there, after the machine section when not.
/// </summary>
internal static class ReportDocument
{
    /// <summary>Opens the generated section.</summary>
    public const string Begin = "<!-- report:begin -->";

    /// <summary>Closes the generated section.</summary>
    public const string End = "<!-- report:end -->";

    /// <summary>The generated section, markers included.</summary>
    public static string Render(BenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        void Line(FormattableString line) => text.Append(FormattableString.Invariant(line)).Append('\n');

        Line($"{Begin}");
        Line($"## Figures: `bash scripts/bench.sh report`");
        Line($"");
        Line($"Generated {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC{(report.Commit is { } commit ? $" from commit `{commit}`" : string.Empty)}, in {Duration(report.DurationSeconds)}, one process. The command rewrites everything between this section's markers; edit the sections below instead.");
        if (report.Quick)
        {
            Line($"");
            Line($"**Quick run** (`--quick`): shortened durations and a {report.CatchUp.Backlog:N0}-entry backlog, for checking the command. Run it without `--quick` for figures to quote.");
        }

        var m = report.Machine;
        Line($"");
        Line($"**Machine:** {m.Cores} cores ({m.Processor}), {m.MemoryGiB:N1} GiB RAM, {m.OperatingSystem}, {m.Runtime}, OpenSSL {m.OpenSsl}, Release build, {m.GarbageCollector} GC. **Load average** (1 minute): {m.LoadAverageAtStart:N2} at the start, {m.LoadAverageAtEnd:N2} at the end. The machine is shared, so absolute rates are noisy; compare the ratios, which set each figure against the bound measured minutes before and after it.");

        Line($"");
        Line($"### Crypto bound: raw ECDSA P-256 / SHA-256, one thread, {report.CryptoBound[0].SecondsEach:0.#} s per figure");
        Line($"");
        Line($"| sample | sign | verify | replicated entries (2 signs + 2 verifies each) |");
        Line($"| --- | ---: | ---: | ---: |");
        foreach (var s in report.CryptoBound)
        {
            Line($"| {s.Taken} | {s.SignPerSecond:N0} /s | {s.VerifyPerSecond:N0} /s | {s.EntryBoundPerSecond:N0} /s |");
        }

        Line($"");
        Line($"### End to end: NL certifies, JP verifies, stores and endorses, NL records the endorsement");
        Line($"");
        Line($"| configuration | entries | entries/s | ÷ raw sign | ÷ entry bound | paced at | JP applied p50 / p99 | NL recorded p50 / p99 |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var f in report.Mesh)
        {
            Line($"| {f.Configuration} | {f.Entries:N0} | {f.EntriesPerSecond:N0} | **{Ratio(f.RatioToSign)}** | **{Ratio(f.RatioToEntryBound)}** | {f.PacedPerSecond:N0} /s ({f.PacedEntries:N0}) | {Milliseconds(f.Applied.P50Ms)} / {Milliseconds(f.Applied.P99Ms)} | {Milliseconds(f.Recorded.P50Ms)} / {Milliseconds(f.Recorded.P99Ms)} |");
        }

        Line($"");
        foreach (var f in report.Mesh)
        {
            Line($"- *{f.Configuration}*: {f.Setup}. Throughput: {f.Callers} callers certify distinct AEO operators at NL for {f.IssueSeconds:0.#} s (NL commits {f.Entries / f.IssueSeconds:N0} /s); the clock stops when JP has acknowledged all {f.Entries:N0} entries ({f.AcknowledgedSeconds:N1} s); replication messages carry up to {f.BatchSize:N0} log leaves. Bound: sign {f.Bound.SignPerSecond:N0} /s, entry {f.Bound.EntryBoundPerSecond:N0} /s (the {f.Bound.Taken}). Latency: {f.PacedEntries:N0} commands started on a schedule at {f.PacedPerSecond:N0} /s for {f.PacedSeconds:0.#} s, none waiting for another; slowest recorded {Milliseconds(f.Recorded.MaxMs)}.");
        }

        Line($"");
        Line($"*Entries/s* counts from the first command to JP's acknowledgement of the last entry (JP verified the signature, the chain and the disclosed fields, stored the entry and signed an endorsement; NL verified the endorsement and recorded it). *÷ raw sign* is the throughput over the raw sign rate; *÷ entry bound* over the rate at which one core could do an entry's two signatures and two verifications. *JP applied*: from the command's start at NL until JP had stored the entry and its endorsement. *NL recorded*: until NL had recorded JP's endorsement. The paced rate is a quarter of the configuration's measured throughput, at most {MeshBenchmark.MaxPacedPerSecond:N0} /s.");

        var memory = report.Memory;
        Line($"");
        Line($"### Memory with {memory.ActiveAfter:N0} active entities");
        Line($"");
        Line($"| | before the backlog | after | per added entity |");
        Line($"| --- | ---: | ---: | ---: |");
        Line($"| active entities at NL | {memory.ActiveBefore:N0} | {memory.ActiveAfter:N0} | |");
        Line($"| managed heap, after a forced full GC | {memory.ManagedBeforeMiB:N0} MiB | {memory.ManagedAfterMiB:N0} MiB | {memory.ManagedKiBPerEntity:N2} KiB |");
        Line($"| process working set (NL and JP) | {memory.WorkingSetBeforeMiB:N0} MiB | {memory.WorkingSetAfterMiB:N0} MiB | {memory.WorkingSetKiBPerEntity:N2} KiB |");
        Line($"");
        Line($"Taken in the catch-up run below, the first figure of the run: each backlog entry certifies a new operator, whose activation stays at NL. The nodes are in memory, so the heap also holds every entry with its fields in the store; on Azure Table storage only the activations stay.");

        var c = report.CatchUp;
        Line($"");
        Line($"### Catch-up after a {c.Backlog:N0}-entry backlog");
        Line($"");
        Line($"| figure | value |");
        Line($"| --- | ---: |");
        Line($"| steady rate (each entry acknowledged as it went) | {c.SteadyPerSecond:N0} entries/s for {c.SteadySeconds:0.#} s ({c.SteadyEntries:N0} entries) |");
        Line($"| backlog signed at NL while JP was away ({c.BacklogCallers} callers) | {c.Backlog:N0} in {c.BacklogSignedSeconds:N1} s ({c.Backlog / c.BacklogSignedSeconds:N0} /s) |");
        Line($"| from JP's return to its first new acknowledgement | {c.SecondsUntilFirstAcknowledgement:N1} s |");
        Line($"| drain rate, from then on | {c.DrainPerSecond:N0} entries/s |");
        Line($"| all acknowledged | {c.CatchUpSeconds:N1} s after JP's return |");
        Line($"| drain rate ÷ steady rate | **{c.TimesSteady:N1}** (target at least {c.Target:0}: {(c.TargetMet ? "met" : "**not met**")}) |");
        Line($"");
        Line($"In memory, NL and JP in one process; JP is cut off by taking its bus out of the in-memory mesh, and returns by putting it back. Replication messages carry up to {c.BatchSize:N0} log leaves.");
        text.Append(End);
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="document"/> with <paramref name="section"/> (as <see cref="Render"/> makes it)
    /// in place of the current one, or, in a document without markers, after its machine section.
    /// Throws <see cref="InvalidDataException"/> on a lone or repeated marker rather than guess.
    /// </summary>
    public static string Place(string document, string section)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(section);
        var begins = Count(document, Begin);
        var ends = Count(document, End);
        if (begins == 1 && ends == 1)
        {
            var from = document.IndexOf(Begin, StringComparison.Ordinal);
            var to = document.IndexOf(End, StringComparison.Ordinal);
            if (to < from)
            {
                throw new InvalidDataException($"The document's {End} comes before its {Begin}.");
            }

            return string.Concat(document.AsSpan(0, from), section, document.AsSpan(to + End.Length));
        }

        if (begins != 0 || ends != 0)
        {
            throw new InvalidDataException($"The document has {begins} {Begin} and {ends} {End}; expected one of each, or none.");
        }

        // No section yet: after the machine section (the first level-2 heading that follows it), else before the first level-2 heading.
        var machine = document.IndexOf("\n## Machine", StringComparison.Ordinal);
        var next = document.IndexOf("\n## ", machine < 0 ? 0 : machine + 1, StringComparison.Ordinal);
        return next < 0
            ? document.TrimEnd('\n') + "\n\n" + section + "\n"
            : string.Concat(document.AsSpan(0, next + 1), section, "\n\n", document.AsSpan(next + 1));
    }

    private static int Count(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Three decimals, or two significant digits below 0.01 so that a small ratio does not read as zero.</summary>
    private static string Ratio(double ratio) => ratio >= 0.01
        ? string.Create(CultureInfo.InvariantCulture, $"{ratio:N3}")
        : string.Create(CultureInfo.InvariantCulture, $"{ratio:G2}");

    private static string Milliseconds(double ms) => ms < 10
        ? string.Create(CultureInfo.InvariantCulture, $"{ms:N1} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:N0} ms");

    private static string Duration(double seconds) => seconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:N0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)} min {seconds % 60:00} s");
}
