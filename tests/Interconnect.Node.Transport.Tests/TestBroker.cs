using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Interconnect.Node.Transport;
using RabbitMQ.Client;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// The real RabbitMQ the test command starts (scripts/infra/rabbitmq.sh), reached through
/// INTERCONNECT_TEST_RABBITMQ; virtual hosts and users are made through its management API
/// (port 15672). Tests fail, never skip, when it does not answer.
/// </summary>
public static class TestBroker
{
    private static readonly Lazy<HttpClient> Management = new(CreateManagementClient);

    /// <summary>The broker's default virtual host, from INTERCONNECT_TEST_RABBITMQ.</summary>
    public static RabbitMqBrokerAddress Default { get; } = RabbitMqBrokerAddress.Parse(
        Environment.GetEnvironmentVariable("INTERCONNECT_TEST_RABBITMQ") is { Length: > 0 } value ? value : "amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>An AMQP URI for <paramref name="virtualHost"/> on the test broker (or on <paramref name="port"/> of the same host).</summary>
    public static string UriFor(string virtualHost, string? user = null, string? password = null, int? port = null) =>
        $"amqp://{Uri.EscapeDataString(user ?? Default.UserName)}:{Uri.EscapeDataString(password ?? Default.Password)}@{Default.Host}:{port ?? Default.Port}/{Uri.EscapeDataString(virtualHost)}";

    /// <summary>Creates a fresh virtual host for one administration of one test, with full rights for the test user.</summary>
    public static async Task<TestVirtualHost> CreateVirtualHostAsync(string administrationId)
    {
        var vhost = new TestVirtualHost($"ict-{administrationId.ToLowerInvariant()}-{Guid.NewGuid():N}"[..24]);
        await vhost.CreateAsync();
        return vhost;
    }

    /// <summary>Creates a user with a fresh name and password and returns its name and password.</summary>
    public static async Task<(string User, string Password)> CreateUserAsync(string prefix)
    {
        var user = $"{prefix}-{Guid.NewGuid():N}"[..24];
        var password = Guid.NewGuid().ToString("N");
        await PutAsync($"api/users/{Uri.EscapeDataString(user)}", new { password, tags = "" });
        return (user, password);
    }

    /// <summary>Deletes a user made by <see cref="CreateUserAsync"/>.</summary>
    public static Task DeleteUserAsync(string user) => DeleteAsync($"api/users/{Uri.EscapeDataString(user)}");

    /// <summary>Sets <paramref name="user"/>'s permissions (regular expressions) on <paramref name="virtualHost"/>.</summary>
    public static Task SetPermissionsAsync(string virtualHost, string user, string configure, string write, string read) =>
        PutAsync($"api/permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(user)}", new { configure, write, read });

    internal static async Task PutAsync(string path, object body)
    {
        using var response = await Management.Value.PutAsJsonAsync(path, body);
        await EnsureSuccessAsync(response, "PUT " + path);
    }

    internal static async Task DeleteAsync(string path)
    {
        using var response = await Management.Value.DeleteAsync(path);
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, "DELETE " + path);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"RabbitMQ management {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static HttpClient CreateManagementClient()
    {
        var port = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_RABBITMQ_MANAGEMENT_PORT") is { Length: > 0 } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 15672;
        var client = new HttpClient { BaseAddress = new Uri($"http://{Default.Host}:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Default.UserName}:{Default.Password}")));
        return client;
    }
}

/// <summary>One administration's virtual host on the test broker; deleted on dispose.</summary>
public sealed class TestVirtualHost(string name) : IAsyncDisposable
{
    /// <summary>The virtual host's name.</summary>
    public string Name { get; } = name;

    /// <summary>Its AMQP URI for the test user.</summary>
    public string Uri => TestBroker.UriFor(Name);

    /// <summary>Creates (or recreates) the virtual host and gives the test user every right on it.</summary>
    public async Task CreateAsync()
    {
        await TestBroker.PutAsync($"api/vhosts/{System.Uri.EscapeDataString(Name)}", new { });
        await TestBroker.SetPermissionsAsync(Name, TestBroker.Default.UserName, ".*", ".*", ".*");
    }

    /// <summary>Deletes the virtual host: its queues, messages and connections go with it.</summary>
    public Task DeleteAsync() => TestBroker.DeleteAsync($"api/vhosts/{System.Uri.EscapeDataString(Name)}");

    /// <summary>A connection to the virtual host as the test user.</summary>
    public Task<IConnection> ConnectAsync() =>
        RabbitMqBrokerAddress.Parse(Uri).CreateConnectionFactory("interconnect transport tests").CreateConnectionAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await DeleteAsync();
}
