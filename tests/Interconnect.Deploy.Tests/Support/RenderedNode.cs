using Interconnect.Deploy.Tests.Support.Rendering;

namespace Interconnect.Deploy.Tests.Support;

/// <summary>
/// The chart rendered for one set of values, read back as Kubernetes objects, with the node
/// container's environment as the pod would see it (ConfigMap data, then env entries; each Secret
/// reference resolved to a stand-in value as if the administration's Secret held it).
/// </summary>
internal sealed class RenderedNode
{
    public RenderedNode(Dictionary<string, object?> values)
    {
        Values = values;
        Objects = ChartRenderer.ForChart().Objects(values);
        var container = Containers.Single(c => (string?)c["name"] == "node");
        Container = container;
        Environment = EnvironmentOf(container);
    }

    public static RenderedNode ForExample(string file) => new(ValuesYaml.Merged(Repository.ChartFile("examples", file)));

    public Dictionary<string, object?> Values { get; }

    public IReadOnlyList<Dictionary<string, object?>> Objects { get; }

    public Dictionary<string, object?> Container { get; }

    /// <summary>Name to value, in the order the container declares them; Secret references read "secret:{name}/{key}".</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

    public Dictionary<string, object?> Deployment => Single("Deployment");

    public Dictionary<string, object?> PodSpec => Map(Map(Map(Deployment, "spec"), "template"), "spec");

    /// <summary>The Deployment's selector: the labels that pick the release's pods, the silos of one cluster.</summary>
    public Dictionary<string, object?> PodSelector => Map(Map(Deployment, "spec"), "selector");

    /// <summary>The pod template's labels.</summary>
    public Dictionary<string, object?> PodLabels => Map(Map(Map(Map(Deployment, "spec"), "template"), "metadata"), "labels");

    /// <summary>The NetworkPolicy's "ingress" or "egress" rules.</summary>
    public List<Dictionary<string, object?>> PolicyRules(string direction) =>
        [.. List(Map(Single("NetworkPolicy"), "spec"), direction).Cast<Dictionary<string, object?>>()];

    public IEnumerable<Dictionary<string, object?>> Containers => List(PodSpec, "containers").Cast<Dictionary<string, object?>>();

    public Dictionary<string, object?> Single(string kind) => Objects.Single(o => (string?)o["kind"] == kind);

    public IEnumerable<Dictionary<string, object?>> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public string? Variable(string name) => Environment.LastOrDefault(e => e.Key == name).Value;

    public static Dictionary<string, object?> Map(Dictionary<string, object?> parent, string key) =>
        parent.GetValueOrDefault(key) as Dictionary<string, object?> ?? throw new KeyNotFoundException($"no mapping \"{key}\"");

    public static List<object?> List(Dictionary<string, object?> parent, string key) =>
        parent.GetValueOrDefault(key) as List<object?> ?? [];

    private List<KeyValuePair<string, string>> EnvironmentOf(Dictionary<string, object?> container)
    {
        var environment = new List<KeyValuePair<string, string>>();
        foreach (var source in List(container, "envFrom").Cast<Dictionary<string, object?>>())
        {
            var name = (string)Map(source, "configMapRef")["name"]!;
            var configMap = OfKind("ConfigMap").Single(c => (string?)Map(c, "metadata")["name"] == name);
            environment.AddRange(Map(configMap, "data").Select(p => KeyValuePair.Create(p.Key, p.Value as string ?? throw new InvalidDataException($"ConfigMap value {p.Key} is not a string"))));
        }

        foreach (var entry in List(container, "env").Cast<Dictionary<string, object?>>())
        {
            var name = (string)entry["name"]!;
            if (entry.GetValueOrDefault("value") is string value)
            {
                environment.Add(KeyValuePair.Create(name, value));
            }
            else if (entry.GetValueOrDefault("valueFrom") is Dictionary<string, object?> from && from.GetValueOrDefault("secretKeyRef") is Dictionary<string, object?> secret)
            {
                environment.Add(KeyValuePair.Create(name, $"secret:{secret["name"]}/{secret["key"]}"));
            }
            else if (entry.GetValueOrDefault("valueFrom") is Dictionary<string, object?> field && field.ContainsKey("fieldRef"))
            {
                environment.Add(KeyValuePair.Create(name, "field:" + Map(field, "fieldRef")["fieldPath"]));
            }
            else
            {
                throw new InvalidDataException($"env {name} has neither value nor a known valueFrom");
            }
        }

        return environment;
    }
}
