using Interconnect.Benchmarks.Report;

namespace Interconnect.Benchmarks.Tests;

public sealed class ReportDocumentTests
{
    private const string Document = """
        # Benchmarks

        How the figures are made.

        ## Machine

        A shared machine.

        ## Ledger core

        What was improved, and how.

        """;

    private static BenchmarkReport Sample() =>
        ReportJson.Read(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "report.json")));

    [Fact]
    public void Render_GivenJson_StatesTheMachineLoadAndConfiguration()
    {
        var section = ReportDocument.Render(Sample());

        Assert.StartsWith(ReportDocument.Begin + "\n", section, StringComparison.Ordinal);
        Assert.EndsWith("\n" + ReportDocument.End, section, StringComparison.Ordinal);
        Assert.Contains("Generated 2026-11-21 05:40 UTC from commit `0123abc`, in 6 min 12 s", section, StringComparison.Ordinal);
        Assert.Contains("2 cores (Example Xeon Processor), 23.5 GiB RAM, Debian GNU/Linux 12 (bookworm), .NET 10.0.12 X64, OpenSSL 3.0.19", section, StringComparison.Ordinal);
        Assert.Contains("1.42 at the start, 2.61 at the end", section, StringComparison.Ordinal);
        Assert.Contains("16 callers certify distinct AEO operators at NL for 15 s (NL commits 3,000 /s)", section, StringComparison.Ordinal);
        Assert.Contains("replication messages carry up to 200 log leaves", section, StringComparison.Ordinal);
        Assert.DoesNotContain("Quick run", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_GivenJson_HasEveryCryptoSampleWithItsEntryBound()
    {
        var section = ReportDocument.Render(Sample());

        Assert.Contains("| at the start | 30,000 /s | 10,000 /s | 3,750 /s |", section, StringComparison.Ordinal);
        Assert.Contains("| after the brokered mesh | 20,000 /s | 5,000 /s | 2,000 /s |", section, StringComparison.Ordinal);
        Assert.Equal(4, section.Split('\n').Count(l => l.StartsWith("| at the start |", StringComparison.Ordinal) || l.StartsWith("| after ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Render_GivenJson_SetsEachMeshFigureAgainstItsOwnBound()
    {
        var section = ReportDocument.Render(Sample());

        // 1,500/s over 30,000 signatures/s and over 3,750 entries/s; 60/s over 25,000 and over 2,885.
        Assert.Contains("| in memory | 45,000 | 1,500 | **0.050** | **0.400** | 200 /s (4,000) | 1.2 ms / 4.8 ms | 1.9 ms / 7.4 ms |", section, StringComparison.Ordinal);
        Assert.Contains("| RabbitMQ + Azurite | 2,400 | 60 | **0.0024** | **0.021** | 30 /s (1,200) | 35 ms / 241 ms | 48 ms / 310 ms |", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_GivenJson_GivesMemoryPerEntityAndTheCatchUpRatio()
    {
        var section = ReportDocument.Render(Sample());

        Assert.Contains("### Memory with 101,000 active entities", section, StringComparison.Ordinal);
        Assert.Contains("| managed heap, after a forced full GC | 10 MiB | 300 MiB | 2.97 KiB |", section, StringComparison.Ordinal);
        Assert.Contains("| process working set (NL and JP) | 200 MiB | 600 MiB | 4.10 KiB |", section, StringComparison.Ordinal);
        Assert.Contains("### Catch-up after a 100,000-entry backlog", section, StringComparison.Ordinal);
        Assert.Contains("| 100,000 in 6.2 s (16,000 /s) |", section, StringComparison.Ordinal);
        Assert.Contains("| drain rate ÷ steady rate | **23.3** (target at least 5: met) |", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SlowCatchUpOrQuickRun_SaysSo()
    {
        var sample = Sample();
        var slow = sample with { Quick = true, CatchUp = sample.CatchUp with { DrainPerSecond = 900 } };

        var section = ReportDocument.Render(slow);

        Assert.Contains("| drain rate ÷ steady rate | **4.5** (target at least 5: **not met**) |", section, StringComparison.Ordinal);
        Assert.Contains("**Quick run** (`--quick`)", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_WrittenAndReadBack_RendersTheSame()
    {
        var sample = Sample();

        var again = ReportJson.Read(ReportJson.Write(sample));

        Assert.Equal(ReportDocument.Render(sample), ReportDocument.Render(again));
    }

    [Fact]
    public void Place_DocumentWithoutSection_InsertsItAfterTheMachineSection()
    {
        var section = ReportDocument.Render(Sample());

        var placed = ReportDocument.Place(Document, section);

        var machine = placed.IndexOf("## Machine", StringComparison.Ordinal);
        var at = placed.IndexOf(ReportDocument.Begin, StringComparison.Ordinal);
        var ledger = placed.IndexOf("## Ledger core", StringComparison.Ordinal);
        Assert.True(machine < at && at < ledger, placed);
        Assert.Contains("A shared machine.\n\n" + ReportDocument.Begin, placed, StringComparison.Ordinal);
        Assert.Contains(ReportDocument.End + "\n\n## Ledger core", placed, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_DocumentWithSection_ReplacesItAndKeepsTheRest()
    {
        var old = ReportDocument.Place(Document, $"{ReportDocument.Begin}\n## Figures\n\n| in memory | 1 | 2 |\n{ReportDocument.End}");
        var section = ReportDocument.Render(Sample());

        var placed = ReportDocument.Place(old, section);

        Assert.DoesNotContain("| in memory | 1 | 2 |", placed, StringComparison.Ordinal);
        Assert.Contains(section, placed, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(placed, ReportDocument.Begin));
        Assert.Equal(1, Occurrences(placed, ReportDocument.End));
        Assert.Equal(ReportDocument.Place(Document, section), placed);
    }

    [Fact]
    public void Place_Twice_LeavesOneSection()
    {
        var section = ReportDocument.Render(Sample());
        var once = ReportDocument.Place(Document, section);

        var twice = ReportDocument.Place(once, section);

        Assert.Equal(once, twice);
        Assert.Equal(1, Occurrences(twice, "## Figures: `bash scripts/bench.sh report`"));
    }

    [Theory]
    [InlineData("<!-- report:begin -->\nno end\n")]
    [InlineData("no begin\n<!-- report:end -->\n")]
    [InlineData("<!-- report:end -->\n<!-- report:begin -->\n")]
    [InlineData("<!-- report:begin -->\n<!-- report:end -->\n<!-- report:begin -->\n<!-- report:end -->\n")]
    public void Place_LoneReversedOrRepeatedMarkers_IsRefused(string markers)
    {
        Assert.Throws<InvalidDataException>(() => ReportDocument.Place(Document + markers, ReportDocument.Render(Sample())));
    }

    [Fact]
    public void BenchmarksDocument_HasExactlyOneGeneratedSection()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Interconnect.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var document = File.ReadAllText(Path.Combine(root.FullName, "docs", "benchmarks.md"));
        Assert.Equal(1, Occurrences(document, ReportDocument.Begin));
        Assert.Equal(1, Occurrences(document, ReportDocument.End));
        Assert.True(document.IndexOf(ReportDocument.Begin, StringComparison.Ordinal) < document.IndexOf(ReportDocument.End, StringComparison.Ordinal));
    }

    private static int Occurrences(string text, string value) =>
        (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
}
