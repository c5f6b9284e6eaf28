using System.Net;
using System.Text.Json;

namespace Interconnect.Node.Api.Tests.Support;

/// <summary>An RFC 9457 problem document as a client reads it.</summary>
public sealed record Problem(int Status, string Type, string Title, string Detail, IReadOnlyDictionary<string, string[]> Errors, JsonElement Document)
{
    /// <summary>A stable code extension, if any.</summary>
    public string? Code => Document.TryGetProperty("code", out var code) ? code.GetString() : null;

    /// <summary>Reads the response, asserting it is a problem document with the expected status and every required member.</summary>
    public static async Task<Problem> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement.Clone();
        Assert.Equal((int)expected, root.GetProperty("status").GetInt32());
        var type = root.GetProperty("type").GetString();
        var title = root.GetProperty("title").GetString();
        var detail = root.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(type), text);
        Assert.False(string.IsNullOrWhiteSpace(title), text);
        Assert.False(string.IsNullOrWhiteSpace(detail), text);
        var errors = root.TryGetProperty("errors", out var e)
            ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray())
            : [];
        return new Problem((int)response.StatusCode, type!, title!, detail!, errors, root);
    }
}
