using System.Net.Http.Json;
using System.Text.Json;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Interconnect.Node.Api.Tests.Support;

/// <summary>
/// One administration's node (NL, with partner BE) built by <see cref="NodeApplication.Build"/> on the
/// in-memory storage and transport, served by Kestrel on a free loopback port, driven over HTTP.
/// </summary>
public sealed class ApiNode : IAsyncLifetime
{
    public const string AdministrationId = "NL";
    public const string PartnerId = "BE";

    private static int _counter;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public AdministrationNode Node => App.Services.GetRequiredService<AdministrationNode>();

    public PublicKey PublicKey => Node.Signer.PublicKey;

    /// <summary>A fresh AEO number per call, so tests sharing the node never meet.</summary>
    public static string NewAeoNumber() => $"NLAEOF{Interlocked.Increment(ref _counter):D7}";

    /// <summary>A fresh consignment reference per call.</summary>
    public static string NewUcr() => $"6NL123456789-2026-{Interlocked.Increment(ref _counter):D5}";

    public async Task InitializeAsync()
    {
        using var signer = EcdsaP256Signer.Generate();
        using var partner = EcdsaP256Signer.Generate();
        var options = new NodeOptions { AdministrationId = AdministrationId, SigningKeyPem = signer.ExportPrivateKeyPem() };
        var be = new PartnerOptions { Id = PartnerId };
        be.PublicKeys.Add(partner.PublicKey.ToPem());
        options.Partners.Add(be);
        var settings = new NodeHostSettings { LogLevel = LogLevel.Warning };
        settings.Urls.Add("http://127.0.0.1:0");
        App = NodeApplication.Build(options, settings);
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync<T>(response);
    }

    public async Task<T> PostAsync<T>(string path, object? body)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Json);
        return await ReadAsync<T>(response);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body) =>
        Http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Json);

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(new Uri(path, UriKind.Relative));

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedApiNode : ICollectionFixture<ApiNode>
{
    public const string Name = "One NL node";
}
