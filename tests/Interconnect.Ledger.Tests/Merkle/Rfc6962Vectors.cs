using System.Text.Json;

namespace Interconnect.Ledger.Tests.Merkle;

/// <summary>The RFC 6962 / certificate-transparency reference vectors in TestData/merkle-rfc6962-vectors.json.</summary>
internal sealed record Rfc6962Vectors(
    string EmptyRoot,
    string[] Leaves,
    string[] Roots,
    Rfc6962Vectors.InclusionVector[] Inclusion,
    Rfc6962Vectors.ConsistencyVector[] Consistency)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly Lazy<Rfc6962Vectors> Cached = new(Read);

    public static Rfc6962Vectors Load() => Cached.Value;

    public byte[][] LeafData() => [.. Leaves.Select(Convert.FromHexString)];

    private static Rfc6962Vectors Read()
    {
        var json = File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "merkle-rfc6962-vectors.json"));
        return JsonSerializer.Deserialize<Rfc6962Vectors>(json, Options)
            ?? throw new InvalidOperationException("The vector file is empty.");
    }

    internal sealed record InclusionVector(long LeafIndex, long TreeSize, string[] Path);

    internal sealed record ConsistencyVector(long OldSize, long NewSize, string[] Path);
}
