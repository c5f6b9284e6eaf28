using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Transport;

namespace Interconnect.Node.Demo;

/// <summary>
/// Several administrations in one process on the embedded defaults: in-memory storage and the
/// in-memory bus, each node with its own key, store and HTTP port.
/// </summary>
public sealed class DemoMesh : IAsyncDisposable
{
    private readonly List<WebApplication?> _apps = [];
    private readonly List<NodeOptions> _options = [];
    private readonly Dictionary<(string At, string Principal), string> _apiKeys = [];
    private LogLevel _logLevel = LogLevel.Warning;

    private DemoMesh(IReadOnlyList<string> administrations, int basePort)
    {
        Administrations = administrations;
        BasePort = basePort;
    }

    /// <summary>The administrations, in port order.</summary>
    public IReadOnlyList<string> Administrations { get; }

    /// <summary>The first node's port.</summary>
    public int BasePort { get; }

    /// <summary>The process's in-memory mesh directory.</summary>
    public InMemoryMesh Mesh { get; } = new();

    /// <summary>The base URL of an administration's node.</summary>
    public Uri UrlOf(string administration) =>
        new($"http://127.0.0.1:{BasePort + IndexOf(administration)}/");

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

    /// <summary>An administration's running node.</summary>
    public WebApplication App(string administration) =>
        _apps[IndexOf(administration)] ?? throw new InvalidOperationException($"{administration}'s node is stopped.");

    /// <summary>A service of an administration's node.</summary>
    public T Service<T>(string administration)
        where T : notnull => App(administration).Services.GetRequiredService<T>();

    /// <summary>
    /// Starts one node per administration; each trusts the others' keys. <paramref name="configure"/>
    /// may move a node off the embedded defaults (RabbitMQ, Azure Table storage).
    /// </summary>
    public static async Task<DemoMesh> StartAsync(IReadOnlyList<string> administrations, int basePort, LogLevel logLevel = LogLevel.Warning, Action<NodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(administrations);
        var mesh = new DemoMesh(administrations, basePort) { _logLevel = logLevel };
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
                mesh._apps.Add(null);
                await mesh.StartNodeAsync(administration).ConfigureAwait(false);
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

    /// <summary>Stops an administration's node (its storage and broker stay, if they are servers).</summary>
    public async Task StopNodeAsync(string administration)
    {
        var index = IndexOf(administration);
        if (_apps[index] is { } app)
        {
            _apps[index] = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts an administration's node again with the same configuration and key.</summary>
    public async Task StartNodeAsync(string administration)
    {
        var index = IndexOf(administration);
        if (_apps[index] is not null)
        {
            return;
        }

        var settings = new NodeHostSettings { Mesh = Mesh, LogLevel = _logLevel };
        settings.Urls.Add(UrlOf(administration).ToString().TrimEnd('/'));
        var app = NodeApplication.Build(_options[index], settings);
        await app.StartAsync().ConfigureAwait(false);
        _apps[index] = app;
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

    private int IndexOf(string administration)
    {
        var index = Administrations.ToList().IndexOf(administration);
        return index >= 0 ? index : throw new ArgumentException($"{administration} is not in the demo.", nameof(administration));
    }
}
