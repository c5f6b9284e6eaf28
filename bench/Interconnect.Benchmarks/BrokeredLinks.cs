using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Interconnect.Node.Configuration;
using Interconnect.Storage.AzureTable;

namespace Interconnect.Benchmarks;

/// <summary>
/// Puts benchmark nodes on real servers: each administration gets its own RabbitMQ vhost (made
/// through the management API) and its own Azurite table prefix, both named for this run, and
/// both removed again on disposal.
/// </summary>
internal sealed class BrokeredLinks : IAsyncDisposable
{
    private readonly HttpClient _management;
    private readonly Uri _broker;
    private readonly string _azurite;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _vhosts = [];
    private readonly IReadOnlyList<string> _administrations;

    private BrokeredLinks(string rabbitMq, string azurite, IReadOnlyList<string> administrations)
    {
        _broker = new Uri(rabbitMq);
        _azurite = azurite;
        _administrations = administrations;
        _management = new HttpClient { BaseAddress = new Uri($"http://{_broker.Host}:15672/") };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(_broker.UserInfo))));
    }

    /// <summary>Creates one vhost per administration, with the broker user's permissions on it.</summary>
    public static async Task<BrokeredLinks> CreateAsync(string rabbitMq, string azurite, IReadOnlyList<string> administrations)
    {
        var links = new BrokeredLinks(rabbitMq, azurite, administrations);
        try
        {
            var user = Uri.UnescapeDataString(links._broker.UserInfo).Split(':')[0];
            foreach (var administration in administrations)
            {
                var vhost = links.VhostOf(administration);
                using var created = await links._management.PutAsJsonAsync($"api/vhosts/{vhost}", new { }).ConfigureAwait(false);
                created.EnsureSuccessStatusCode();
                links._vhosts.Add(vhost);
                using var permitted = await links._management.PutAsJsonAsync($"api/permissions/{vhost}/{user}", new { configure = ".*", write = ".*", read = ".*" }).ConfigureAwait(false);
                permitted.EnsureSuccessStatusCode();
            }
        }
        catch
        {
            await links.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return links;
    }

    /// <summary>Moves a node's options onto its vhost and tables, and its partner links onto theirs.</summary>
    public void Configure(NodeOptions options)
    {
        options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = UriOf(options.AdministrationId) };
        options.Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ConnectionString = _azurite, TablePrefix = TablePrefixOf(options.AdministrationId) };
        foreach (var partner in options.Partners)
        {
            partner.Link = UriOf(partner.Id);
        }
    }

    /// <summary>Deletes the vhosts and the tables: Azurite keeps every table in one file it rewrites, so leftovers slow every later user.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var vhost in _vhosts)
        {
            using var _ = await _management.DeleteAsync($"api/vhosts/{vhost}").ConfigureAwait(false);
        }

        using var http = new HttpClient();
        foreach (var administration in _administrations)
        {
            var store = new AzureTableNodeStore(new AzureTableStorageOptions { ConnectionString = _azurite, TablePrefix = TablePrefixOf(administration) }, http, TimeProvider.System);
            try
            {
                await store.DeleteTablesAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or Storage.StorageException)
            {
                Console.WriteLine($"could not delete {administration}'s benchmark tables: {e.Message}");
            }
        }

        _management.Dispose();
    }

    private string VhostOf(string administration) => $"bench-{administration.ToLowerInvariant()}-{_run}";

    private string TablePrefixOf(string administration) => $"bench{_run}{administration.ToLowerInvariant()}";

    private string UriOf(string administration) => $"amqp://{_broker.UserInfo}@{_broker.Host}:{_broker.Port}/{VhostOf(administration)}";
}
