using System.Net;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Tests;

namespace Interconnect.Reliability.Tests;

/// <summary>
/// A node whose storage does not answer when it starts stays up and says it is not ready (an
/// orchestrator would otherwise restart it over and over), and starts once the storage answers.
/// </summary>
[Collection(FaultLabGroup.Name)]
public sealed class StorageAtStartTests(FaultLab lab)
{
    [Fact]
    public async Task StorageDownAtStart_NodeServesNotReadyWithTheReason_ThenStartsWhenStorageAnswers()
    {
        var run = "storage" + Guid.NewGuid().ToString("N")[..6];
        await lab.AddVirtualHostAsync(run);
        var logs = Path.Combine(lab.StateDirectory, "nodes", run);
        Directory.CreateDirectory(logs);
        using var key = EcdsaP256Signer.Generate();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Node__AdministrationId"] = "NL",
            ["Node__SigningKeyPem"] = key.ExportPrivateKeyPem(),
            ["Node__Storage__Provider"] = "AzureTable",
            ["Node__Storage__ConnectionString"] = FaultLab.AzuriteConnectionString,
            ["Node__Storage__TablePrefix"] = run,
            ["Node__Transport__Kind"] = "RabbitMq",
            ["Node__Transport__BrokerUri"] = FaultLab.BrokerUri(run),
            ["Node__Cluster__SiloPort"] = "0",
            ["Node__Cluster__GatewayPort"] = "0",
            ["DOTNET_gcServer"] = "0",
        };
        await using var node = new NodeProcess("NL", FreePorts.Consecutive(1), environment, logs);
        using var http = new HttpClient { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(5) };
        await lab.StopAzuriteAsync();
        Task starting;
        try
        {
            starting = node.StartAsync(TimeSpan.FromSeconds(120));

            // Not ready, with the storage named as the reason; alive; and the API says why it cannot serve.
            string? ready = null;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (ready is null)
            {
                Assert.True(DateTime.UtcNow < until, "the waiting node never answered /health/ready");
                Assert.False(starting.IsCompleted, "the node stopped, or claimed to be ready, while its storage was down");
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready") { Headers = { { "Accept", "application/json" } } };
                    using var response = await http.SendAsync(request);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    ready = await response.Content.ReadAsStringAsync();
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200);
                }
            }

            Assert.Contains("\"storage\"", ready, StringComparison.Ordinal);
            Assert.Contains("Storage does not answer", ready, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            using (var waiting = await http.GetAsync("/api/node"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);
                Assert.Equal("application/problem+json", waiting.Content.Headers.ContentType?.MediaType);
            }

            // Still up after several of its retries.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.True(node.IsRunning);
            Assert.False(starting.IsCompleted);
        }
        finally
        {
            await lab.StartAzuriteAsync();
        }

        // Storage answers: the node starts for real (its /health/ready answered 200) and serves its API.
        await starting;
        using var api = await http.GetAsync("/api/node");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Contains("\"NL\"", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(node.IsRunning);
    }
}
