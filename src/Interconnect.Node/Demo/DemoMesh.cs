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
    private readonly List<WebApplication> _apps = [];

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

    /// <summary>An administration's running node.</summary>
    public WebApplication App(string administration) => _apps[IndexOf(administration)];

    /// <summary>A service of an administration's node.</summary>
    public T Service<T>(string administration)
        where T : notnull => App(administration).Services.GetRequiredService<T>();

    /// <summary>Starts one node per administration; each trusts the others' keys.</summary>
    public static async Task<DemoMesh> StartAsync(IReadOnlyList<string> administrations, int basePort, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(administrations);
        var mesh = new DemoMesh(administrations, basePort);
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

                var settings = new NodeHostSettings { Mesh = mesh.Mesh, LogLevel = logLevel };
                settings.Urls.Add(mesh.UrlOf(administration).ToString().TrimEnd('/'));
                var app = NodeApplication.Build(options, settings);
                mesh._apps.Add(app);
                await app.StartAsync().ConfigureAwait(false);
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
        foreach (var app in _apps)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _apps.Clear();
    }

    private int IndexOf(string administration)
    {
        var index = Administrations.ToList().IndexOf(administration);
        return index >= 0 ? index : throw new ArgumentException($"{administration} is not in the demo.", nameof(administration));
    }
}
