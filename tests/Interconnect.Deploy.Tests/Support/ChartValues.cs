namespace Interconnect.Deploy.Tests.Support;

/// <summary>The values the tests start from, each merged over values.yaml as Helm merges them.</summary>
internal static class ChartValues
{
    /// <summary>An administration's example from examples/.</summary>
    public static Dictionary<string, object?> Example(string file) => ValuesYaml.Merged(Repository.ChartFile("examples", file));

    /// <summary>
    /// values.yaml with only the names it leaves empty on purpose given (the administration, its
    /// Secrets, its table prefix): the chart's defaults as an administration would install them.
    /// </summary>
    public static Dictionary<string, object?> Defaults() => Apply(
        ValuesYaml.Merged(),
        ("node.administrationId", "NL"),
        ("signingKey.secretName", "interconnect-nl-signing-key"),
        ("storage.tablePrefix", "nl"),
        ("storage.connectionString.secretName", "interconnect-nl-storage"),
        ("tls.https.secretName", "interconnect-nl-https"));

    /// <summary>One pod on the embedded defaults: in-memory storage and transport, a Localhost silo, plain HTTP.</summary>
    public static Dictionary<string, object?> Demonstration() => Apply(
        ValuesYaml.Merged(),
        ("node.administrationId", "NL"),
        ("signingKey.secretName", "interconnect-nl-signing-key"),
        ("tls.https.enabled", false),
        ("replicaCount", 1L),
        ("storage.provider", "InMemory"),
        ("cluster.membership", "Localhost"),
        ("cluster.kubernetes.enabled", false));

    /// <summary>A copy of <paramref name="values"/> with each dotted path set (null removes it).</summary>
    public static Dictionary<string, object?> Apply(Dictionary<string, object?> values, params (string Path, object? Value)[] changes) =>
        changes.Aggregate(values, (current, change) => ValuesYaml.With(current, change.Path, change.Value));
}
