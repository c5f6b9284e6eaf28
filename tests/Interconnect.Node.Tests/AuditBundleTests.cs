using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger.Audit;
using Interconnect.Node.Audit;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;

namespace Interconnect.Node.Tests;

/// <summary>
/// The demo mesh's NL node exports audit bundles over HTTP; the verify command, in process and as a
/// real process with nothing but the file, says they are valid, and says exactly what is wrong with
/// tampered copies.
/// </summary>
public sealed class AuditBundleTests(DemoMeshFixture fixture) : IClassFixture<DemoMeshFixture>, IDisposable
{
    private readonly HttpClient _http = fixture.Mesh.Client("NL", Roles.Auditor);
    private readonly string _directory = Directory.CreateTempSubdirectory("interconnect-audit-").FullName;

    private AdministrationNode Nl => fixture.Mesh.Service<AdministrationNode>("NL");

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AeoBundle_ExportedOverHttp_VerifiesOffline()
    {
        var response = await _http.GetAsync(new Uri($"/api/audit/entities/{AeoOperatorGrain.EntityKind}/{DemoScenario.AeoNumber}/bundle", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AuditBundle.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"NL-aeo-operator-{DemoScenario.AeoNumber}.audit.json", response.Content.Headers.ContentDisposition?.FileName);
        var file = await SaveAsync(response, "aeo.audit.json");

        var (code, output, _) = Verify(file);

        Assert.Equal(VerifyCommand.Valid, code);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var entries = (await Nl.Store.Entities.GetHeadAsync(new(Nl.Id, AeoOperatorGrain.EntityKind, DemoScenario.AeoNumber)))!.LastSequence;
        Assert.StartsWith($"valid: {entries} entries of NL, the ledger of aeo-operator {DemoScenario.AeoNumber};", lines[0], StringComparison.Ordinal);
        Assert.Contains(Nl.Signer.KeyId, lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"key set: self-anchored on genesis key {Nl.Signer.KeyId}", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShipmentBundle_VerifiesAgainstNlsPublishedKey_AndNotAgainstJps()
    {
        var file = await ExportAsync($"/api/audit/entities/{ShipmentGrain.EntityKind}/{DemoScenario.Ucr}/bundle", "shipment.audit.json");
        var nlKey = Path.Combine(_directory, "nl.pem");
        var jpKey = Path.Combine(_directory, "jp.pem");
        await File.WriteAllTextAsync(nlKey, Nl.Signer.PublicKey.ToPem());
        await File.WriteAllTextAsync(jpKey, fixture.Mesh.Service<AdministrationNode>("JP").Signer.PublicKey.ToPem());

        var trusted = Verify(file, "--trust-key", nlKey);
        var wrongKey = Verify(file, "--trust-key", jpKey);

        Assert.Equal(VerifyCommand.Valid, trusted.Code);
        Assert.StartsWith($"valid: ", trusted.Output, StringComparison.Ordinal);
        Assert.Contains($"shipment {DemoScenario.Ucr}", trusted.Output, StringComparison.Ordinal);
        Assert.Contains("key set: anchored in the trusted key", trusted.Output, StringComparison.Ordinal);
        Assert.Equal(VerifyCommand.Invalid, wrongKey.Code);
        Assert.Contains("TrustAnchorMismatch", wrongKey.Output, StringComparison.Ordinal);
        Assert.Contains("signatures NOT checked", wrongKey.Output, StringComparison.Ordinal);
        Assert.Contains("key set: NOT anchored in the trusted key", wrongKey.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeRangeBundle_HoldsTheLogsEntriesInTheRange_AndVerifies()
    {
        var file = await ExportAsync("/api/audit/log/bundle?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", "range.audit.json");
        var bundle = AuditBundleJson.Decode(await File.ReadAllBytesAsync(file)).Bundle!;

        var (code, output, _) = Verify(file, "--json");

        Assert.Equal(VerifyCommand.Valid, code);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        var entries = json.RootElement.GetProperty("entries").GetInt32();
        Assert.Equal(bundle.Entries.Length, entries);
        Assert.True(entries >= 6, $"the demo logs at least six entries; the bundle holds {entries}");
        Assert.True(json.RootElement.GetProperty("checkpoint").GetProperty("treeSize").GetInt64() >= entries);
        Assert.Empty(json.RootElement.GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public async Task NarrowTimeRange_HoldsOnlyItsEntries()
    {
        var all = AuditBundleJson.Decode(await File.ReadAllBytesAsync(await ExportAsync("/api/audit/log/bundle?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", "all.audit.json"))).Bundle!;
        var third = Ledger.Entries.LedgerEntry.Decode(all.Entries[2].Entry).Value!.Body.Timestamp;
        var from = Uri.EscapeDataString(third.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        var file = await ExportAsync($"/api/audit/log/bundle?from={from}&to=2100-01-01T00:00:00Z", "narrow.audit.json");
        var (code, _, _) = Verify(file);

        Assert.Equal(VerifyCommand.Valid, code);
        var narrow = AuditBundleJson.Decode(await File.ReadAllBytesAsync(file)).Bundle!;
        Assert.InRange(narrow.Entries.Length, 1, all.Entries.Length - 2);
        Assert.All(narrow.Entries, e => Assert.True(Ledger.Entries.LedgerEntry.Decode(e.Entry).Value!.Body.Timestamp >= third));
    }

    [Fact]
    public async Task VerifyCommand_RunsAsARealProcess_WithNothingButTheFile()
    {
        var file = await ExportAsync($"/api/audit/entities/{ShipmentGrain.EntityKind}/{DemoScenario.Ucr}/bundle", "process.audit.json");
        Assert.True(AuditBundleJson.Decode(await File.ReadAllBytesAsync(file)).Bundle!.Entries.Length >= 3, "the demo's shipment has at least three entries");
        var tampered = await TamperAsync(file, "process-tampered.audit.json", b => b with { Entries = b.Entries.RemoveAt(1) });

        var valid = await RunProcessAsync("verify", file);
        var invalid = await RunProcessAsync("verify", tampered);
        var usage = await RunProcessAsync("verify");

        Assert.True(valid.Code == 0, valid.Output + valid.Error);
        Assert.StartsWith("valid: ", valid.Output, StringComparison.Ordinal);
        Assert.Equal(1, invalid.Code);
        Assert.Contains($"MissingEntry: shipment {DemoScenario.Ucr}: entry #2 is missing", invalid.Output, StringComparison.Ordinal);
        Assert.Equal(2, usage.Code);
        Assert.Contains("usage: Interconnect.Node verify", usage.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedBundles_AreInvalid_WithTheReasonNamed()
    {
        var file = await ExportAsync($"/api/audit/entities/{AeoOperatorGrain.EntityKind}/{DemoScenario.AeoNumber}/bundle", "original.audit.json");
        var flippedSignature = await TamperAsync(file, "signature.audit.json", b =>
        {
            var entry = b.Entries[1].Entry.ToArray();
            entry[^1] ^= 0x01;
            return b with { Entries = b.Entries.SetItem(1, b.Entries[1] with { Entry = entry }) };
        });
        var changedField = await TamperAsync(file, "field.audit.json", b =>
            b with { Entries = b.Entries.SetItem(1, b.Entries[1] with { Fields = [.. b.Entries[1].Fields.Select(f => f.Name == "status" ? f with { Value = "certified" } : f)] }) });
        var reordered = await TamperAsync(file, "reordered.audit.json", b => b with { Entries = [b.Entries[1], b.Entries[0], .. b.Entries.Skip(2)] });
        var garbage = Path.Combine(_directory, "garbage.audit.json");
        await File.WriteAllTextAsync(garbage, "{\"format\": \"interconnect-audit-bundle\", \"version\": 1, \"origin\": ");

        var signature = Verify(flippedSignature);
        var field = Verify(changedField);
        var order = Verify(reordered);
        var malformed = Verify(garbage);
        var missing = Verify(Path.Combine(_directory, "no-such-file.audit.json"));

        Assert.Equal(VerifyCommand.Invalid, signature.Code);
        Assert.StartsWith("invalid: 1 problem in ", signature.Output, StringComparison.Ordinal);
        Assert.Contains($"EntrySignatureInvalid: aeo-operator {DemoScenario.AeoNumber} #2 (entries[1]): the signature does not verify with key {Nl.Signer.KeyId}", signature.Output, StringComparison.Ordinal);
        Assert.Equal(VerifyCommand.Invalid, field.Code);
        Assert.Contains("FieldDigestMismatch: ", field.Output, StringComparison.Ordinal);
        Assert.Contains("field \"status\" hashes to", field.Output, StringComparison.Ordinal);
        Assert.Equal(VerifyCommand.Invalid, order.Code);
        Assert.Contains("EntryOutOfOrder: ", order.Output, StringComparison.Ordinal);
        Assert.Equal(VerifyCommand.Invalid, malformed.Code);
        Assert.Contains("MalformedBundle: Malformed bundle at $: not JSON", malformed.Output, StringComparison.Ordinal);
        Assert.Equal(VerifyCommand.UsageError, missing.Code);
        Assert.Contains("cannot read", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEntity_Is404ProblemDetails()
    {
        var response = await _http.GetAsync(new Uri($"/api/audit/entities/{AeoOperatorGrain.EntityKind}/NLAEOF9999999/bundle", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:interconnect:problem:not-found", problem.GetProperty("type").GetString());
        Assert.Contains("NLAEOF9999999", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("from=yesterday&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("from=2026-11-01T00:00:00Z", "to")]
    public async Task BadRange_Is400ProblemDetails_NamingTheField(string query, string field)
    {
        var response = await _http.GetAsync(new Uri($"/api/audit/log/bundle?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:interconnect:problem:invalid-input", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheExports()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.RootElement.GetProperty("paths");

        var entity = paths.GetProperty("/api/audit/entities/{kind}/{id}/bundle").GetProperty("get");
        var range = paths.GetProperty("/api/audit/log/bundle").GetProperty("get");

        Assert.Equal("ExportEntityAuditBundle", entity.GetProperty("operationId").GetString());
        Assert.True(entity.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty(AuditBundle.MediaType, out _));
        Assert.True(entity.GetProperty("responses").TryGetProperty("404", out _));
        Assert.Equal("ExportLogAuditBundle", range.GetProperty("operationId").GetString());
        Assert.True(range.GetProperty("responses").TryGetProperty("400", out _));
    }

    private async Task<string> ExportAsync(string path, string name)
    {
        var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await SaveAsync(response, name);
    }

    private async Task<string> SaveAsync(HttpResponseMessage response, string name)
    {
        var file = Path.Combine(_directory, name);
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        return file;
    }

    private async Task<string> TamperAsync(string file, string name, Func<AuditBundle, AuditBundle> tamper)
    {
        var bundle = AuditBundleJson.Decode(await File.ReadAllBytesAsync(file)).Bundle!;
        var target = Path.Combine(_directory, name);
        await File.WriteAllBytesAsync(target, AuditBundleJson.Encode(tamper(bundle)));
        return target;
    }

    private static (int Code, string Output, string Error) Verify(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = VerifyCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // The node executable as an auditor runs it: its own process, the bundle file, nothing else.
    private async Task<(int Code, string Output, string Error)> RunProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(NodeAssembly());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await error);
    }

    // Next to the tests when the build copied the node's runtime configuration; else the node's own build output.
    private static string NodeAssembly()
    {
        var copied = typeof(VerifyCommand).Assembly.Location;
        if (File.Exists(Path.ChangeExtension(copied, ".runtimeconfig.json")))
        {
            return copied;
        }

        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var (framework, configuration) = (testBin.Name, testBin.Parent!.Name);
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Interconnect.Node", "bin", configuration, framework, "Interconnect.Node.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Interconnect.Node.dll with its runtime configuration was not found from {AppContext.BaseDirectory}.");
    }
}
