using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Interconnect.Node.Configuration;
using Interconnect.Node.Telemetry.Tests.Support;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage.AzureTable;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>/health/ready: ready when storage, broker and key are fine; not ready, saying which and why, when storage or the broker goes away.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Ready_WhenStorageBrokerAndKeyAreFine_ListsEachCheck()
    {
        await using var mesh = await TestMesh.StartAsync(["NL"]);
        using var http = mesh.Http("NL");

        using var plain = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("Healthy", await plain.Content.ReadAsStringAsync());

        using var report = await ReadJsonAsync(http);
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["storage"]);
        Assert.Equal("Healthy", checks["broker"]);
        Assert.Equal("Healthy", checks["signing-key"]);

        using var live = await http.GetAsync(new Uri("health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task NotReady_WhenAzureTableStorageStopsAnswering_NamesStorage()
    {
        var prefix = "tel" + Guid.NewGuid().ToString("N")[..10];
        await using var relay = new TcpRelay("127.0.0.1", 10002);
        relay.Start();
        try
        {
            await using var mesh = await TestMesh.StartAsync(["NL"], configure: options => options.Storage = new StorageOptions
            {
                Provider = StorageProviders.AzureTable,
                ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={TableAccount.DevelopmentAccountName};AccountKey={TableAccount.DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:{relay.Port}/{TableAccount.DevelopmentAccountName}",
                TablePrefix = prefix,
            });
            using var http = mesh.Http("NL");
            await Eventually.HoldsAsync(async () => (await ReadyAsync(http)).Status == HttpStatusCode.OK, "ready while Azurite answers");

            await relay.StopAsync();

            var (status, body) = await WaitForAsync(http, HttpStatusCode.ServiceUnavailable);
            Assert.StartsWith("Unhealthy", body, StringComparison.Ordinal);
            Assert.Contains("storage: Unhealthy: Storage does not answer", body, StringComparison.Ordinal);
            Assert.DoesNotContain("signing-key", body, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        }
        finally
        {
            await new AzureTableNodeStore(
                new AzureTableStorageOptions { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix },
                new HttpClient(),
                TimeProvider.System).DeleteTablesAsync();
        }
    }

    [Fact]
    public async Task NotReady_WhenTheBrokerGoesAway_NamesTheBroker_AndReadyAgainWhenItReturns()
    {
        await using var vhost = await TestBroker.CreateVirtualHostAsync("NL");
        await using var relay = new TcpRelay(TestBroker.Default.Host, TestBroker.Default.Port);
        relay.Start();
        await using var mesh = await TestMesh.StartAsync(["NL"], configure: options =>
            options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = TestBroker.UriFor(vhost.Name, port: relay.Port) });
        using var http = mesh.Http("NL");
        await WaitForAsync(http, HttpStatusCode.OK);

        await relay.StopAsync();

        var (_, body) = await WaitForAsync(http, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("broker: Unhealthy: Not connected to our broker", body, StringComparison.Ordinal);
        Assert.DoesNotContain("storage:", body, StringComparison.Ordinal);

        relay.Start();
        await WaitForAsync(http, HttpStatusCode.OK);
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(HttpStatusCode Status, string Body)> WaitForAsync(HttpClient http, HttpStatusCode wanted)
    {
        (HttpStatusCode Status, string Body) last = default;
        await Eventually.HoldsAsync(async () => (last = await ReadyAsync(http)).Status == wanted, $"/health/ready answering {wanted}");
        return last;
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health/ready");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
