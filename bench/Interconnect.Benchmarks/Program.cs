using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Interconnect.Benchmarks;

// Usage: Interconnect.Benchmarks ledger|grains|mesh|catchup [--seconds S] [--entries N] [--azurite CONNECTION] [--rabbitmq AMQP-URI] [--out DIR]
var suite = args.FirstOrDefault() ?? "ledger";
var seconds = Option("--seconds", 3.0);
var entries = (long)Option("--entries", 1_000_000);
var outDir = OptionText("--out") ?? Path.Combine("artifacts", "bench");

Console.WriteLine($"Interconnect benchmark '{suite}': {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
Dictionary<string, object> results = suite switch
{
    "ledger" => LedgerBenchmark.Run(seconds, entries),
    "grains" => await GrainBenchmark.RunAsync(seconds, OptionText("--azurite") ?? Environment.GetEnvironmentVariable("INTERCONNECT_BENCH_AZURITE")),
    "mesh" => await MeshBenchmark.RunAsync(seconds, (int)Option("--entries", 20_000), OptionText("--rabbitmq"), OptionText("--azurite")),
    "catchup" => await CatchUpBenchmark.RunAsync(seconds, (int)Option("--entries", 100_000)),
    _ => throw new ArgumentException($"Unknown benchmark \"{suite}\"; known: ledger, grains, mesh, catchup."),
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

double Option(string name, double fallback) =>
    OptionText(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
