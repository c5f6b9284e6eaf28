using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Interconnect.Benchmarks;
using Interconnect.Benchmarks.Report;

// Usage: Interconnect.Benchmarks ledger|grains|mesh|catchup [--seconds S] [--entries N] [--azurite CONNECTION] [--rabbitmq AMQP-URI] [--out DIR]
//        Interconnect.Benchmarks report [--quick] [--rabbitmq AMQP-URI] [--azurite CONNECTION] [--commit REV] [--doc FILE] [--out DIR]
//        Interconnect.Benchmarks render [--from REPORT.json] [--doc FILE]   (rewrites the document's section from a report's JSON)
var suite = args.FirstOrDefault() ?? "ledger";
var seconds = Option("--seconds", 3.0);
var entries = (long)Option("--entries", 1_000_000);
var outDir = OptionText("--out") ?? Path.Combine("artifacts", "bench");
var rabbitMq = OptionText("--rabbitmq") ?? Environment.GetEnvironmentVariable("INTERCONNECT_BENCH_RABBITMQ") ?? Environment.GetEnvironmentVariable("INTERCONNECT_TEST_RABBITMQ");
var azurite = OptionText("--azurite") ?? Environment.GetEnvironmentVariable("INTERCONNECT_BENCH_AZURITE") ?? Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE");

if (suite is "report" or "render")
{
    var document = OptionText("--doc") ?? Path.Combine("docs", "benchmarks.md");
    var json = Path.Combine(outDir, "report.json");
    BenchmarkReport report;
    if (suite == "report")
    {
        if (rabbitMq is null || azurite is null)
        {
            Console.Error.WriteLine("The report needs RabbitMQ and Azurite: --rabbitmq and --azurite, or INTERCONNECT_BENCH_RABBITMQ and INTERCONNECT_BENCH_AZURITE (scripts/bench.sh starts and passes them).");
            return 2;
        }

        report = await ReportRun.RunAsync(new ReportSettings(args.Contains("--quick"), rabbitMq, azurite, OptionText("--commit")));
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(json, ReportJson.Write(report));
        Console.WriteLine($"wrote {json}");
    }
    else
    {
        report = ReportJson.Read(await File.ReadAllTextAsync(OptionText("--from") ?? json));
    }

    var section = ReportDocument.Render(report);
    await File.WriteAllTextAsync(document, ReportDocument.Place(await File.ReadAllTextAsync(document), section));
    Console.WriteLine(section);
    Console.WriteLine($"wrote the generated section of {document}");
    return 0;
}

Console.WriteLine($"Interconnect benchmark '{suite}': {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
Dictionary<string, object> results = suite switch
{
    "ledger" => LedgerBenchmark.Run(seconds, entries),
    "grains" => await GrainBenchmark.RunAsync(seconds, azurite),
    "mesh" => await MeshBenchmark.RunAsync(seconds, rabbitMq, azurite),
    "catchup" => await CatchUpBenchmark.RunAsync(seconds, (int)Option("--entries", 100_000)),
    _ => throw new ArgumentException($"Unknown benchmark \"{suite}\"; known: ledger, grains, mesh, catchup, report, render."),
};

results["suite"] = suite;
results["cores"] = Environment.ProcessorCount;
results["os"] = RuntimeInformation.OSDescription;
results["runtime"] = RuntimeInformation.FrameworkDescription;
results["secondsPerFigure"] = seconds;
Directory.CreateDirectory(outDir);
var path = Path.Combine(outDir, suite + ".json");
await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"wrote {path}");
return 0;

double Option(string name, double fallback) =>
    OptionText(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
