using System.Net.Http.Json;
using System.Text.Json;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Access;
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
    private Action<NodeOptions>? _configure;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public AdministrationNode Node => App.Services.GetRequiredService<AdministrationNode>();

    public PublicKey PublicKey => Node.Signer.PublicKey;

    /// <summary>One API key per role; <see cref="Http"/> is the supervisor's.</summary>
    public static IReadOnlyDictionary<string, string> Keys { get; } = Roles.All.ToDictionary(r => r, _ => AccessKeyCommand.NewKey());

    /// <summary>The id of the test principal of <paramref name="role"/>.</summary>
    public static string PrincipalId(string role) => "test-" + role;

    /// <summary>
    /// A client of the node signed in with <paramref name="role"/>'s key, or anonymous for null. HttpClient
    /// drops the Authorization header when it follows a redirect, so a test of what an endpoint itself
    /// answers follows none.
    /// </summary>
    public HttpClient Client(string? role, bool followRedirects = true)
    {
        var address = App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = followRedirects }) { BaseAddress = new Uri(address) };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(CredentialAuthenticationHandler.ApiKeyScheme, Keys[role]);
        }

        return client;
    }

    /// <summary>A fresh AEO number per call, so tests sharing the node never meet.</summary>
    public static string NewAeoNumber() => $"NLAEOF{Interlocked.Increment(ref _counter):D7}";

    /// <summary>A fresh consignment reference per call.</summary>
    public static string NewUcr() => $"6NL123456789-2026-{Interlocked.Increment(ref _counter):D5}";

    /// <summary>A node of its own, configured further by <paramref name="configure"/>; dispose it.</summary>
    public static async Task<ApiNode> StartAsync(Action<NodeOptions> configure)
    {
        var node = new ApiNode { _configure = configure };
        await node.InitializeAsync();
        return node;
    }

    public async Task InitializeAsync()
    {
        using var signer = EcdsaP256Signer.Generate();
        using var partner = EcdsaP256Signer.Generate();
        var options = new NodeOptions { AdministrationId = AdministrationId, SigningKeyPem = signer.ExportPrivateKeyPem() };
        var be = new PartnerOptions { Id = PartnerId };
        be.PublicKeys.Add(partner.PublicKey.ToPem());
        options.Partners.Add(be);
        foreach (var (role, key) in Keys)
        {
            options.Access.Principals.Add(new PrincipalOptions
            {
                Id = PrincipalId(role),
                Role = role,
                Administration = role == Roles.Partner ? PartnerId : null,
                ApiKeySha256 = PrincipalDirectory.Digest(key),
            });
        }

        _configure?.Invoke(options);
        var settings = new NodeHostSettings { LogLevel = LogLevel.Warning };
        settings.Urls.Add("http://127.0.0.1:0");
        App = NodeApplication.Build(options, settings);
        await App.StartAsync();
        Http = Client(Roles.Supervisor);
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
