using System.Globalization;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Access;
using Interconnect.Node.Configuration;
using Interconnect.Node.Tests;
using Interconnect.Storage.AzureTable;

namespace Interconnect.Reliability.Tests;

/// <summary>
/// Three administrations (NL, JP, BE), each a node process with its own virtual host on the lab
/// broker and its own tables in the lab Azurite, bound by one three-party MRA.
/// </summary>
public sealed class LabMesh : IAsyncDisposable
{
    /// <summary>The agreement every run sets up.</summary>
    public const string AgreementId = "MRA-NL-JP-BE-FAULTS";

    private static readonly string[] AeoFields = ["aeoNumber", "name", "programme", "status", "certifiedOn", "validUntil", "reason", "effectiveAt"];
    private readonly Dictionary<string, EcdsaP256Signer> _keys;

    private LabMesh(string run, IReadOnlyList<string> administrations, Dictionary<string, EcdsaP256Signer> keys, Dictionary<string, NodeProcess> nodes, string logDirectory)
    {
        Run = run;
        Administrations = administrations;
        _keys = keys;
        Nodes = nodes;
        LogDirectory = logDirectory;
    }

    /// <summary>This run's id (part of virtual host and table names).</summary>
    public string Run { get; }

    /// <summary>NL, JP, BE.</summary>
    public IReadOnlyList<string> Administrations { get; }

    /// <summary>The node processes by administration.</summary>
    public IReadOnlyDictionary<string, NodeProcess> Nodes { get; }

    /// <summary>Where the nodes' output goes.</summary>
    public string LogDirectory { get; }

    /// <summary>Every administration's public key, for re-verifying what any node holds.</summary>
    public StaticKeyResolver Keys => new(_keys.Select(k => (k.Key, k.Value.PublicKey)));

    /// <summary>The public key of <paramref name="administration"/>.</summary>
    public PublicKey KeyOf(string administration) => _keys[administration].PublicKey;

    /// <summary>Creates the virtual hosts, starts the three nodes and puts the MRA in force.</summary>
    public static async Task<LabMesh> StartAsync(FaultLab lab, string name)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var run = name + Guid.NewGuid().ToString("N")[..6];
        string[] administrations = ["NL", "JP", "BE"];
        var keys = administrations.ToDictionary(a => a, _ => EcdsaP256Signer.Generate());
        var logs = Path.Combine(lab.StateDirectory, "nodes", run);
        Directory.CreateDirectory(logs);
        foreach (var administration in administrations)
        {
            await lab.AddVirtualHostAsync(VirtualHost(run, administration));
        }

        var basePort = FreePorts.Consecutive(administrations.Length);
        var nodes = new Dictionary<string, NodeProcess>(StringComparer.Ordinal);
        for (var i = 0; i < administrations.Length; i++)
        {
            var administration = administrations[i];
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Node__AdministrationId"] = administration,
                ["Node__SigningKeyPem"] = keys[administration].ExportPrivateKeyPem(),
                ["Node__Storage__Provider"] = "AzureTable",
                ["Node__Storage__ConnectionString"] = FaultLab.AzuriteConnectionString,
                ["Node__Storage__TablePrefix"] = TablePrefix(run, administration),
                ["Node__Transport__Kind"] = "RabbitMq",
                // Three nodes on one machine: each silo takes a free port, and needs no gateway.
                ["Node__Cluster__SiloPort"] = "0",
                ["Node__Cluster__GatewayPort"] = "0",
                ["Node__Transport__BrokerUri"] = FaultLab.BrokerUri(VirtualHost(run, administration)),
                ["Logging__LogLevel__Default"] = "Warning",
                // The bus's own account of its endpoints (connected, faulted, restarted, each delivery):
                // what a run that stalls after a broker fault needs in its node logs.
                ["Logging__LogLevel__MassTransit"] = "Debug",
                ["DOTNET_gcServer"] = "0",
                ["Node__Access__Principals__0__Id"] = "lab-supervisor",
                ["Node__Access__Principals__0__Role"] = Roles.Supervisor,
                ["Node__Access__Principals__0__ApiKeySha256"] = PrincipalDirectory.Digest(SupervisorKey),
            };
            var index = 0;
            foreach (var partner in administrations.Where(a => a != administration))
            {
                var prefix = $"Node__Partners__{index++.ToString(CultureInfo.InvariantCulture)}__";
                environment[prefix + "Id"] = partner;
                environment[prefix + "Link"] = FaultLab.BrokerUri(VirtualHost(run, partner));
                environment[prefix + "PublicKeys__0"] = keys[partner].PublicKey.ToPem();
            }

            nodes[administration] = new NodeProcess(administration, basePort + i, environment, logs);
        }

        var mesh = new LabMesh(run, administrations, keys, nodes, logs);
        await Task.WhenAll(nodes.Values.Select(n => n.StartAsync(TimeSpan.FromSeconds(90))));
        await mesh.EstablishAgreementAsync();
        return mesh;
    }

    /// <summary>An HTTP client for <paramref name="administration"/>'s node.</summary>
    public NodeHttpClient Client(string administration)
    {
        var http = new HttpClient { BaseAddress = Nodes[administration].Url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(CredentialAuthenticationHandler.ApiKeyScheme, SupervisorKey);
        return new(administration, http);
    }

    /// <summary>The API key of every lab node's supervisor, the principal the workload acts as.</summary>
    public static string SupervisorKey { get; } = AccessKeyCommand.NewKey();

    /// <summary>A direct reader of <paramref name="administration"/>'s tables, for the audit after the run.</summary>
    public AzureTableNodeStore OpenStore(string administration, HttpClient http) =>
        new(new AzureTableStorageOptions { ConnectionString = FaultLab.AzuriteConnectionString, TablePrefix = TablePrefix(Run, administration) }, http, TimeProvider.System);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Values.Select(n => n.DisposeAsync().AsTask()));
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private async Task EstablishAgreementAsync()
    {
        using var nl = Client("NL");
        await nl.PostAsync("/api/mras", new
        {
            agreementId = AgreementId,
            title = "NL-JP-BE AEO mutual recognition",
            parties = Administrations,
            aeoProgrammes = new[] { "AEOF", "AEOS" },
            documentTypes = new[] { "phytosanitary-certificate" },
            sharingPolicies = Administrations.Select(a => new { partyId = a, kinds = new[] { new { entityKind = "aeo-operator", fieldNames = AeoFields } } }),
            endorsementQuorum = 2,
        }, System.Net.HttpStatusCode.Created);
        foreach (var partner in new[] { "JP", "BE" })
        {
            using var client = Client(partner);
            await Wait.UntilAsync(async () => await client.SharedAsync("NL", "mra-agreement", AgreementId) is not null, TimeSpan.FromSeconds(60), $"the proposal at {partner}");
            await client.PostAsync($"/api/mras/{AgreementId}/accept");
        }

        await Wait.UntilAsync(async () => (string?)(await nl.GetAsync($"/api/mras/{AgreementId}"))["status"] == "in-force", TimeSpan.FromSeconds(60), "the MRA in force at NL");
        foreach (var partner in new[] { "JP", "BE" })
        {
            using var client = Client(partner);
            await Wait.UntilAsync(
                async () => (string?)(await client.SharedAsync("NL", "mra-agreement", AgreementId))?["fields"]?["status"] == "in-force",
                TimeSpan.FromSeconds(60),
                $"the MRA in force at {partner}");
        }
    }

    /// <summary>The virtual host of <paramref name="administration"/>'s broker in this run.</summary>
    public string VirtualHostOf(string administration) => VirtualHost(Run, administration);

    private static string VirtualHost(string run, string administration) => $"{run}-{administration.ToLowerInvariant()}";

    private static string TablePrefix(string run, string administration) => "f" + run + administration.ToLowerInvariant();
}

/// <summary>Polling with a deadline.</summary>
public static class Wait
{
    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return started.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // A node restarting: ask again.
            }

            if (started.Elapsed > timeout)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
