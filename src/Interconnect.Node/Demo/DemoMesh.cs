using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Transport;
using Interconnect.Storage;
using Interconnect.Storage.InMemory;

namespace Interconnect.Node.Demo;

/// <summary>
/// Several administrations in one process on the embedded defaults: in-memory storage and the
/// in-memory bus, each administration with its own key and store, and each administration's node one
/// or more silos of its own Orleans cluster (localhost clustering: the first silo is the primary the
/// others join), each silo with its own HTTP port. Administration i's silo k (both from 1) listens on
/// <c>basePort + (i - 1) + 10 * (k - 1)</c>: with one silo each, NL, JP and BE on 5081, 5082 and 5083;
/// with three, NL's silos on 5081, 5091 and 5101.
/// </summary>
public sealed class DemoMesh : IAsyncDisposable
{
    /// <summary>The most silos an administration runs in the demo (their HTTP ports stay apart from the next administration's).</summary>
    public const int MaxSilos = 5;

    /// <summary>How far apart the HTTP ports of an administration's consecutive silos are.</summary>
    public const int SiloPortStride = 10;

    private readonly List<WebApplication?[]> _apps = [];
    private readonly List<SiloAddress?[]> _siloAddresses = [];
    private readonly List<int[]> _siloPorts = [];
    private readonly List<INodeStore?> _stores = [];
    private readonly List<NodeOptions> _options = [];
    private readonly Dictionary<(string At, string Principal), string> _apiKeys = [];
    private LogLevel _logLevel = LogLevel.Warning;

    private DemoMesh(IReadOnlyList<string> administrations, int basePort, int silos)
    {
        Administrations = administrations;
        BasePort = basePort;
        Silos = silos;
    }

    /// <summary>The administrations, in port order.</summary>
    public IReadOnlyList<string> Administrations { get; }

    /// <summary>The first node's port.</summary>
    public int BasePort { get; }

    /// <summary>How many silos each administration's cluster has.</summary>
    public int Silos { get; }

    /// <summary>The process's in-memory mesh directory.</summary>
    public InMemoryMesh Mesh { get; } = new();

    /// <summary>The highest HTTP port a mesh of <paramref name="administrations"/> with <paramref name="silos"/> silos each uses from <paramref name="basePort"/>.</summary>
    public static int LastPort(int basePort, int administrations, int silos) => basePort + (administrations - 1) + (SiloPortStride * (silos - 1));

    /// <summary>The base URL of an administration's node: its first running silo (the first silo when none runs).</summary>
    public Uri UrlOf(string administration) => UrlOf(administration, FirstRunningSilo(administration) ?? 1);

    /// <summary>The base URL of an administration's silo <paramref name="silo"/> (from 1).</summary>
    public Uri UrlOf(string administration, int silo)
    {
        CheckSilo(silo);
        return new($"http://127.0.0.1:{BasePort + IndexOf(administration) + (SiloPortStride * (silo - 1))}/");
    }

    /// <summary>
    /// The API key of a demo principal at <paramref name="administration"/>'s node: its officer,
    /// supervisor or auditor (by role name), or a partner's system (by the partner's id). Fresh each run.
    /// </summary>
    public string ApiKey(string administration, string principal) =>
        _apiKeys.TryGetValue((administration, principal), out var key)
            ? key
            : throw new ArgumentException($"The demo has no principal {principal} at {administration}.", nameof(principal));

    /// <summary>An HTTP client of <paramref name="administration"/>'s node signed in as <paramref name="principal"/> (see <see cref="ApiKey"/>).</summary>
    public HttpClient Client(string administration, string principal)
    {
        var client = new HttpClient { BaseAddress = UrlOf(administration) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(Access.CredentialAuthenticationHandler.ApiKeyScheme, ApiKey(administration, principal));
        return client;
    }

    /// <summary>The id a demo principal has at every node, e.g. "nl-officer", or "jp-system" for JP's system at NL.</summary>
    public static string PrincipalId(string administration, string role) =>
        $"{administration.ToLowerInvariant()}-{(role == Roles.Partner ? "system" : role)}";

    /// <summary>An administration's node: its first running silo.</summary>
    public WebApplication App(string administration) =>
        FirstRunningSilo(administration) is { } silo ? App(administration, silo) : throw new InvalidOperationException($"{administration}'s node is stopped.");

    /// <summary>An administration's running silo <paramref name="silo"/> (from 1).</summary>
    public WebApplication App(string administration, int silo)
    {
        CheckSilo(silo);
        return _apps[IndexOf(administration)][silo - 1] ?? throw new InvalidOperationException($"{administration}'s silo {silo} is stopped.");
    }

    /// <summary>A service of an administration's node, from its first running silo.</summary>
    public T Service<T>(string administration)
        where T : notnull => App(administration).Services.GetRequiredService<T>();

    /// <summary>A service of an administration's silo <paramref name="silo"/> (from 1).</summary>
    public T Service<T>(string administration, int silo)
        where T : notnull => App(administration, silo).Services.GetRequiredService<T>();

    /// <summary>Whether an administration's silo <paramref name="silo"/> (from 1) is running.</summary>
    public bool IsRunning(string administration, int silo)
    {
        CheckSilo(silo);
        return _apps[IndexOf(administration)][silo - 1] is not null;
    }

    /// <summary>The number (from 1) of the administration's silo at <paramref name="address"/>, as it last started; null for none of them.</summary>
    public int? SiloAt(string administration, SiloAddress? address)
    {
        var index = Array.FindIndex(_siloAddresses[IndexOf(administration)], a => a is not null && a.Equals(address));
        return index >= 0 ? index + 1 : null;
    }

    /// <summary>
    /// Starts every administration's node, <paramref name="silos"/> silos each (1 to <see cref="MaxSilos"/>),
    /// on HTTP ports from <paramref name="basePort"/>; each administration trusts the others' keys.
    /// <paramref name="configure"/> may move a node off the embedded defaults (RabbitMQ, Azure Table storage).
    /// </summary>
    public static async Task<DemoMesh> StartAsync(IReadOnlyList<string> administrations, int basePort, LogLevel logLevel = LogLevel.Warning, Action<NodeOptions>? configure = null, int silos = 1)
    {
        ArgumentNullException.ThrowIfNull(administrations);
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(silos, MaxSilos);
        var mesh = new DemoMesh(administrations, basePort, silos) { _logLevel = logLevel };
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

                mesh.AddPrincipals(options, administrations);
                configure?.Invoke(options);
                mesh._options.Add(options);

                // In-memory storage is the mesh's, one store per administration: its silos share it, and it
                // outlives them as a storage server would.
                mesh._stores.Add(options.Storage.Provider == StorageProviders.InMemory ? new InMemoryNodeStore() : null);
                // Chosen here rather than by each silo: the others must know the primary's before it starts, and a restarted silo keeps its own.
                mesh._siloPorts.Add([.. Enumerable.Range(0, silos).Select(_ => NodeSilo.FreePort())]);
                mesh._siloAddresses.Add(new SiloAddress?[silos]);
                mesh._apps.Add(new WebApplication?[silos]);
            }

            // Every administration's first silo, then every second one: each administration is reachable
            // as early as it would be with one silo each, and each later silo finds its primary running.
            for (var silo = 1; silo <= silos; silo++)
            {
                foreach (var administration in administrations)
                {
                    await mesh.StartSiloAsync(administration, silo).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
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

    // Each node knows its own officer, supervisor and auditor, and each partner's system.
    private void AddPrincipals(NodeOptions options, IReadOnlyList<string> administrations)
    {
        var at = options.AdministrationId;
        foreach (var role in new[] { Roles.Officer, Roles.Supervisor, Roles.Auditor })
        {
            options.Access.Principals.Add(Principal(at, role, PrincipalId(at, role), role, null));
        }

        foreach (var partner in administrations.Where(a => a != at))
        {
            options.Access.Principals.Add(Principal(at, partner, PrincipalId(partner, Roles.Partner), Roles.Partner, partner));
        }
    }

    private PrincipalOptions Principal(string at, string name, string id, string role, string? partner)
    {
        var key = Access.AccessKeyCommand.NewKey();
        _apiKeys[(at, name)] = key;
        return new PrincipalOptions { Id = id, Role = role, Administration = partner, ApiKeySha256 = Access.PrincipalDirectory.Digest(key) };
    }

    /// <summary>Stops an administration's node, its silos in reverse order (its storage and broker stay).</summary>
    public async Task StopNodeAsync(string administration)
    {
        for (var silo = Silos; silo >= 1; silo--)
        {
            await StopSiloAsync(administration, silo).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops one silo of an administration's node gracefully, as a rolling restart does: its grains
    /// deactivate and the next call activates them on a silo that still runs. The first silo is the
    /// primary of the development membership the others joined: stopping it leaves them without
    /// a membership table.
    /// </summary>
    public async Task StopSiloAsync(string administration, int silo)
    {
        CheckSilo(silo);
        var apps = _apps[IndexOf(administration)];
        if (apps[silo - 1] is { } app)
        {
            apps[silo - 1] = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts an administration's stopped silos again, in order, with the same configuration, key, storage and ports.</summary>
    public async Task StartNodeAsync(string administration)
    {
        for (var silo = 1; silo <= Silos; silo++)
        {
            await StartSiloAsync(administration, silo).ConfigureAwait(false);
        }
    }

    // Starts one silo unless it runs; silo 1 is the primary, the others join it.
    private async Task StartSiloAsync(string administration, int silo)
    {
        var index = IndexOf(administration);
        if (_apps[index][silo - 1] is not null)
        {
            return;
        }

        var ports = _siloPorts[index];
        var settings = new NodeHostSettings
        {
            Mesh = Mesh,
            Store = _stores[index],
            LogLevel = _logLevel,
            SiloPort = ports[silo - 1],
            PrimarySiloPort = silo == 1 ? null : ports[0],
        };
        settings.Urls.Add(UrlOf(administration, silo).ToString().TrimEnd('/'));
        var app = NodeApplication.Build(_options[index], settings);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _apps[index][silo - 1] = app;
        _siloAddresses[index][silo - 1] = app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, up to <paramref name="timeout"/>; returns the time it took.</summary>
    public static async Task<TimeSpan> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        return TimeProvider.System.GetElapsedTime(started);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var administration in Administrations.Take(_apps.Count))
        {
            await StopNodeAsync(administration).ConfigureAwait(false);
        }
    }

    private int? FirstRunningSilo(string administration)
    {
        var index = Array.FindIndex(_apps[IndexOf(administration)], app => app is not null);
        return index >= 0 ? index + 1 : null;
    }

    private void CheckSilo(int silo)
    {
        if (silo < 1 || silo > Silos)
        {
            throw new ArgumentOutOfRangeException(nameof(silo), silo, $"The demo's administrations have silos 1 to {Silos}.");
        }
    }

    private int IndexOf(string administration)
    {
        var index = Administrations.ToList().IndexOf(administration);
        return index >= 0 ? index : throw new ArgumentException($"{administration} is not in the demo.", nameof(administration));
    }
}
