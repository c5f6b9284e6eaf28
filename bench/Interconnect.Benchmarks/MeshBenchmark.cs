using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Interconnect.Grains.AeoOperators;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Storage;

namespace Interconnect.Benchmarks;

/// <summary>
/// End to end across two administrations: NL signs and stores an AEO entry, JP verifies, stores and
/// endorses it, NL verifies and records JP's signed receipt. Throughput (many callers) and latency
/// (p50/p99 at a paced rate), in memory and on RabbitMQ + Azurite, next to the crypto bound of the
/// same run: per entry two signatures (entry, receipt) and two verifications, on one core.
/// </summary>
internal static class MeshBenchmark
{
    public static async Task<Dictionary<string, object>> RunAsync(double seconds, int entries, string? rabbitMq, string? azurite)
    {
        var (sign, verify) = CryptoRates(Math.Min(seconds, 2));
        var bound = 1 / (2 / sign + 2 / verify);
        Console.WriteLine($"raw sign {sign:N0}/s, raw verify {verify:N0}/s: crypto bound per replicated entry {bound:N0}/s (one core)");
        var results = new Dictionary<string, object>
        {
            ["rawSignPerSecond"] = sign,
            ["rawVerifyPerSecond"] = verify,
            ["cryptoBoundPerSecond"] = bound,
        };

        await RunConfigurationAsync("inMemory", entries, paceSeconds: seconds, bound, results, configure: null).ConfigureAwait(false);
        if (rabbitMq is not null && azurite is not null)
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var vhosts = new Dictionary<string, string> { ["NL"] = $"bench-nl-{run}", ["JP"] = $"bench-jp-{run}" };
            using var management = Management(rabbitMq);
            foreach (var vhost in vhosts.Values)
            {
                await CreateVirtualHostAsync(management, vhost).ConfigureAwait(false);
            }

            try
            {
                var broker = new Uri(rabbitMq);
                string UriOf(string vhost) => $"amqp://{broker.UserInfo}@{broker.Host}:{broker.Port}/{vhost}";
                await RunConfigurationAsync("rabbitMqAzurite", Math.Min(entries, 5000), paceSeconds: seconds, bound, results, options =>
                {
                    options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = UriOf(vhosts[options.AdministrationId]) };
                    options.Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ConnectionString = azurite, TablePrefix = $"bench{run}{options.AdministrationId.ToLowerInvariant()}" };
                    foreach (var partner in options.Partners)
                    {
                        partner.Link = UriOf(vhosts[partner.Id]);
                    }
                }).ConfigureAwait(false);
            }
            finally
            {
                foreach (var vhost in vhosts.Values)
                {
                    using var _ = await management.DeleteAsync($"api/vhosts/{vhost}").ConfigureAwait(false);
                }
            }
        }

        return results;
    }

    private static async Task RunConfigurationAsync(string name, int entries, double paceSeconds, double bound, Dictionary<string, object> results, Action<NodeOptions>? configure)
    {
        Console.WriteLine($"--- {name}: {entries:N0} entries, 16 callers; then 200 entries/s for {paceSeconds:0} s");
        await using var mesh = await DemoMesh.StartAsync(["NL", "JP"], FreePort(), Microsoft.Extensions.Logging.LogLevel.Error, configure).ConfigureAwait(false);
        await new DemoScenario(mesh, TextWriter.Null).EstablishAgreementAsync().ConfigureAwait(false);
        var nl = mesh.Service<AdministrationNode>("NL");
        // Throughput: distinct operators, so the figure is the mesh's, not one grain's turn.
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < entries)
            {
                await Certify(nl, $"NLAEOB{i:D8}").ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        var signedAll = clock.Elapsed.TotalSeconds;
        await AllAcknowledgedAsync(mesh, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var rate = entries / elapsed;
        Console.WriteLine($"{name}: {rate:N0} entries/s end to end ({entries:N0} in {elapsed:N2} s; NL signed them all in {signedAll:N2} s); ratio to the crypto bound {rate / bound:N3}");
        results[name + "EntriesPerSecond"] = rate;
        results[name + "RatioToCryptoBound"] = rate / bound;

        // Latency at a paced 200 entries/s: entry signed at NL → JP's endorsement recorded at NL.
        var paced = new List<string>();
        var pace = Stopwatch.StartNew();
        for (var i = 0; pace.Elapsed.TotalSeconds < paceSeconds; i++)
        {
            var due = TimeSpan.FromSeconds(i / 200.0);
            if (due > pace.Elapsed)
            {
                await Task.Delay(due - pace.Elapsed).ConfigureAwait(false);
            }

            var number = $"NLAEOP{i:D8}";
            await Certify(nl, number).ConfigureAwait(false);
            paced.Add(number);
        }

        await AllAcknowledgedAsync(mesh, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        var latencies = new List<double>();
        foreach (var number in paced)
        {
            var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, number);
            var entry = (await nl.Store.Entities.ReadAsync(entity, 1, 1).ConfigureAwait(false))[0];
            var receipt = (await nl.Store.Receipts.ListAsync(entity).ConfigureAwait(false)).Single(r => r.Issuer == "JP");
            latencies.Add((receipt.ReceivedAt - entry.Entry.Body.Timestamp).TotalMilliseconds);
        }

        latencies.Sort();
        var p50 = latencies[latencies.Count / 2];
        var p99 = latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))];
        Console.WriteLine($"{name}: at 200 entries/s ({paced.Count} entries) latency p50 {p50:N1} ms, p99 {p99:N1} ms");
        results[name + "PacedEntries"] = paced.Count;
        results[name + "LatencyP50Ms"] = p50;
        results[name + "LatencyP99Ms"] = p99;
    }

    /// <summary>JP has acknowledged NL's whole log: every entry verified, stored, endorsed and its receipt recorded at NL.</summary>
    private static Task<TimeSpan> AllAcknowledgedAsync(DemoMesh mesh, TimeSpan timeout) =>
        DemoMesh.WaitForAsync(
            async () => (await mesh.Service<Node.Mesh.IMeshQueries>("NL").GetLinksAsync().ConfigureAwait(false)).Single(l => l.Partner == "JP").Backlog == 0,
            timeout,
            "JP's acknowledgement of NL's log");

    private static Task<AeoOperatorView> Certify(AdministrationNode nl, string number) =>
        nl.Grains.GetGrain<IAeoOperatorGrain>(number).Certify(new CertifyAeoOperator("Operator " + number, "Kade 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), null));

    private static (double Sign, double Verify) CryptoRates(double seconds)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var input = new byte[420];
        var signature = key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var sign = Measure.For("raw ECDSA P-256 sign", seconds, 32, () =>
        {
            for (var i = 0; i < 32; i++)
            {
                key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        });
        var verify = Measure.For("raw ECDSA P-256 verify", seconds, 32, () =>
        {
            for (var i = 0; i < 32; i++)
            {
                key.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        });
        return (sign.PerSecond, verify.PerSecond);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port < 65000 ? port : 41000;
    }

    private static HttpClient Management(string rabbitMq)
    {
        var broker = new Uri(rabbitMq);
        var client = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(broker.UserInfo))));
        return client;
    }

    private static async Task CreateVirtualHostAsync(HttpClient management, string vhost)
    {
        using var created = await management.PutAsJsonAsync($"api/vhosts/{vhost}", new { }).ConfigureAwait(false);
        created.EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(management.DefaultRequestHeaders.Authorization!.Parameter is { } p ? Encoding.UTF8.GetString(Convert.FromBase64String(p)).Split(':')[0] : "guest");
        using var permitted = await management.PutAsJsonAsync($"api/permissions/{vhost}/{user}", new { configure = ".*", write = ".*", read = ".*" }).ConfigureAwait(false);
        permitted.EnsureSuccessStatusCode();
    }
}
