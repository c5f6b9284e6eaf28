using System.Net;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Tests.Support;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Interconnect.Node.Api.Tests;

/// <summary>
/// The node composed as the composition root will compose it once it calls
/// <see cref="ApiEndpoints.AddInterconnectApi"/>: the exception handler is a registered service and
/// unreadable requests reach it as exceptions, so a body value of the wrong type is named in <c>errors</c>.
/// </summary>
#pragma warning disable CA1001 // xUnit disposes the client and the app through IAsyncLifetime.DisposeAsync.
public sealed class ComposedNodeTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    private static string SupervisorKey { get; } = AccessKeyCommand.NewKey();

    public async Task InitializeAsync()
    {
        using var signer = EcdsaP256Signer.Generate();
        var options = new NodeOptions { AdministrationId = "NL", SigningKeyPem = signer.ExportPrivateKeyPem() };
        options.Access.Principals.Add(new PrincipalOptions { Id = "test-supervisor", Role = Roles.Supervisor, ApiKeySha256 = PrincipalDirectory.Digest(SupervisorKey) });
        var settings = new NodeHostSettings { LogLevel = LogLevel.Warning };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(NodeApplication).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        NodeApplication.AddNode(builder.Services, options, settings);
        builder.Services.AddInterconnectApi();
        _app = builder.Build();
        _app.MapInterconnectApi(settings);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(CredentialAuthenticationHandler.ApiKeyScheme, SupervisorKey);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task DateOfTheWrongFormat_Returns400NamingTheField()
    {
        using var content = new StringContent(
            """{"aeoNumber":"NLAEOF7000001","name":"X","address":"Y","programme":"AEOF","certifiedOn":"15/01/2026"}""",
            System.Text.Encoding.UTF8,
            "application/json");

        var problem = await Problem.ReadAsync(await _http.PostAsync(new Uri("/api/aeo-operators", UriKind.Relative), content), HttpStatusCode.BadRequest);

        Assert.Equal("urn:interconnect:problem:invalid-input", problem.Type);
        Assert.True(problem.Errors.ContainsKey("certifiedOn"), problem.Document.ToString());
    }

    [Fact]
    public async Task IllegalTransition_StillReturns409WithItsCode()
    {
        using var certify = new StringContent(
            """{"aeoNumber":"NLAEOF7000002","name":"X","address":"Y","programme":"AEOF","certifiedOn":"2026-01-15"}""",
            System.Text.Encoding.UTF8,
            "application/json");
        (await _http.PostAsync(new Uri("/api/aeo-operators", UriKind.Relative), certify)).EnsureSuccessStatusCode();
        using var reinstate = new StringContent("""{"reason":"none"}""", System.Text.Encoding.UTF8, "application/json");

        var problem = await Problem.ReadAsync(
            await _http.PostAsync(new Uri("/api/aeo-operators/NLAEOF7000002/reinstate", UriKind.Relative), reinstate), HttpStatusCode.Conflict);

        Assert.Equal("aeo-certified", problem.Code);
    }

    [Fact]
    public async Task QueryValueOfTheWrongType_Returns400Problem()
    {
        await Problem.ReadAsync(await _http.GetAsync(new Uri("/api/log/inclusion?entryHash=00&treeSize=many", UriKind.Relative)), HttpStatusCode.BadRequest);
    }
}
