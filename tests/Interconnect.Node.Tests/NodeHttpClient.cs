using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Interconnect.Node.Tests;

/// <summary>
/// An officer's or a partner's view of one node: its HTTP API at the node's URL, answers read as
/// JSON. Failing calls throw with the node's ProblemDetails in the message.
/// </summary>
public sealed class NodeHttpClient(string administration, HttpClient http) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = WithTimeout(http);

    /// <summary>Posts <paramref name="body"/> (or nothing) and requires <paramref name="expected"/>; returns the answer's JSON.</summary>
    public async Task<JsonNode?> PostAsync(string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = body is null
            ? await _http.PostAsync(path, content: null)
            : await _http.PostAsJsonAsync(path, body, Json);
        return await ReadAsync(response, "POST " + path, expected);
    }

    /// <summary>Gets <paramref name="path"/>, requiring 200.</summary>
    public async Task<JsonNode> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return (await ReadAsync(response, "GET " + path, HttpStatusCode.OK))!;
    }

    /// <summary>Gets <paramref name="path"/>; null on 404 (something not there yet), the JSON on 200.</summary>
    public async Task<JsonNode?> FindAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, "GET " + path, HttpStatusCode.OK);
    }

    /// <summary>What the partner <paramref name="origin"/> shared with this node, or null while it has not arrived.</summary>
    public Task<JsonNode?> SharedAsync(string origin, string kind, string id) =>
        FindAsync($"/api/partners/{origin}/shared/{kind}/{Uri.EscapeDataString(id)}");

    /// <summary>This node's link to <paramref name="partner"/> as <c>GET /api/partners</c> reports it.</summary>
    public async Task<JsonNode> LinkAsync(string partner) =>
        (await GetAsync("/api/partners")).AsArray().Single(l => (string?)l!["partner"] == partner)!;

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static HttpClient WithTimeout(HttpClient http)
    {
        http.Timeout = TimeSpan.FromSeconds(30);
        return http;
    }

    private async Task<JsonNode?> ReadAsync(HttpResponseMessage response, string what, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException($"{administration} {what}: {(int)response.StatusCode} (expected {(int)expected}) {text}", null, response.StatusCode);
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
