using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Access;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Transport;
using Interconnect.Node.Transport.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Interconnect.Node.Telemetry.Tests.Support;

/// <summary>
/// Administrations in one process, each a full node (NodeApplication) on a free loopback port, with
/// its own command-line configuration: that is how each node gets its own telemetry settings.
/// </summary>
public sealed class TestMesh : IAsyncDisposable
{
    public const string AgreementId = "MRA-NL-JP-TEL";
    private readonly Dictionary<string, WebApplication> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Uri> _urls = new(StringComparer.Ordinal);

    public InMemoryMesh Directory { get; } = new();

    /// <summary>Starts a node per administration; <paramref name="args"/> gives each its command line, <paramref name="configure"/> may change its options.</summary>
    public static async Task<TestMesh> StartAsync(IReadOnlyList<string> administrations, Func<string, string[]>? args = null, Action<NodeOptions>? configure = null)
    {
        var mesh = new TestMesh();
        var keys = administrations.ToDictionary(a => a, _ => EcdsaP256Signer.Generate(), StringComparer.Ordinal);
        try
        {
            foreach (var administration in administrations)
            {
                var options = new NodeOptions { AdministrationId = administration, SigningKeyPem = keys[administration].ExportPrivateKeyPem() };
                foreach (var partner in administrations.Where(a => a != administration))
                {
                    var partnerOptions = new PartnerOptions { Id = partner };
                    partnerOptions.PublicKeys.Add(keys[partner].PublicKey.ToPem());
                    options.Partners.Add(partnerOptions);
                }

                options.Access.Principals.Add(new PrincipalOptions { Id = "test-supervisor", Role = Roles.Supervisor, ApiKeySha256 = PrincipalDirectory.Digest(SupervisorKey) });
                configure?.Invoke(options);
                var settings = new NodeHostSettings { Mesh = mesh.Directory, LogLevel = LogLevel.Warning };
                settings.Urls.Add("http://127.0.0.1:0");
                var app = NodeApplication.Build(options, settings, args?.Invoke(administration) ?? []);
                await app.StartAsync();
                mesh._apps[administration] = app;
                mesh._urls[administration] = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
            }
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }
        }

        return mesh;
    }

    public T Service<T>(string administration)
        where T : notnull => _apps[administration].Services.GetRequiredService<T>();

    /// <summary>The API key of every node's supervisor.</summary>
    public static string SupervisorKey { get; } = AccessKeyCommand.NewKey();

    /// <summary>An HTTP client of <paramref name="administration"/>'s node, signed in as its supervisor.</summary>
    public HttpClient Http(string administration)
    {
        var client = new HttpClient { BaseAddress = _urls[administration] };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(CredentialAuthenticationHandler.ApiKeyScheme, SupervisorKey);
        return client;
    }

    /// <summary>NL proposes an MRA covering AEO entries, JP accepts, and both see it in force.</summary>
    public async Task EstablishAgreementAsync()
    {
        var aeoFields = new[] { "aeoNumber", "name", "programme", "status", "certifiedOn", "validUntil", "reason", "effectiveAt" };
        await Service<AdministrationNode>("NL").Grains.GetGrain<IMraAgreementGrain>(AgreementId).Propose(new ProposeMraAgreement(
            "Telemetry test agreement",
            ["NL", "JP"],
            ["AEOF", "AEOS"],
            ["phytosanitary-certificate"],
            [
                new DataSharingPolicy("NL", [new SharedEntityKind(AeoOperatorGrain.EntityKind, aeoFields)]),
                new DataSharingPolicy("JP", [new SharedEntityKind(AeoOperatorGrain.EntityKind, aeoFields)]),
            ],
            EndorsementQuorum: 1));
        await Eventually.HoldsAsync(
            async () => await Service<IMeshQueries>("JP").GetSharedAsync("NL", MraAgreementGrain.EntityKind, AgreementId) is not null,
            "the proposal reaches JP");
        await Service<IMeshCommands>("JP").AcceptMraAsync(AgreementId);
        await Eventually.HoldsAsync(
            async () => (await Service<AdministrationNode>("NL").Grains.GetGrain<IMraAgreementGrain>(AgreementId).GetState()).Status == MraStatus.InForce,
            "the agreement in force at NL");
    }

    /// <summary>Whether every entry of NL's AEO <paramref name="number"/> is endorsed by JP, as NL recorded it.</summary>
    public async Task<bool> EndorsedAtNlAsync(string number)
    {
        var endorsements = await Service<IMeshQueries>("NL").GetEndorsementsAsync(new("NL", AeoOperatorGrain.EntityKind, number));
        return endorsements.Count > 0 && endorsements.All(e => e.Recognized);
    }

    /// <summary>Stops every node (their telemetry flushes on the way out).</summary>
    public async Task StopAsync()
    {
        foreach (var app in _apps.Values)
        {
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.Values)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _apps.Clear();
    }
}
