using System.Text.RegularExpressions;
using Interconnect.Deploy.Tests.Support;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;

namespace Interconnect.Deploy.Tests;

/// <summary>
/// Every configuration key the node reads can be set from the chart's values: the keys come from
/// <see cref="NodeOptions"/> by reflection, so a new option without chart support fails here.
/// </summary>
public sealed partial class NodeConfigurationCoverageTests
{
    /// <summary>Keys the node or its platform reads outside NodeOptions, which the chart must set too.</summary>
    private static readonly string[] PlatformKeys =
    [
        // HTTPS through Kestrel's standard configuration (PEM certificate and key).
        "Kestrel__Certificates__Default__Path",
        "Kestrel__Certificates__Default__KeyPath",
        "ASPNETCORE_HTTPS_PORTS",
        // The CA bundle for amqps:// to the own broker and the partner links (Node:Transport:CaCertificatesPath).
        "Node__Transport__CaCertificatesPath",
        // Telemetry through the standard OpenTelemetry variables.
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
        // Orleans' Kubernetes hosting (Node:Cluster:Kubernetes) reads the pod and the ids itself.
        OrleansKubernetesHosting.PodNameVariable,
        OrleansKubernetesHosting.PodNamespaceVariable,
        OrleansKubernetesHosting.PodIPVariable,
        OrleansKubernetesHosting.ClusterIdVariable,
        OrleansKubernetesHosting.ServiceIdVariable,
        // The .NET host's shutdown timeout (host setting shutdownTimeoutSeconds): the silo's graceful stop.
        "DOTNET_SHUTDOWNTIMEOUTSECONDS",
    ];

    /// <summary>Variables the chart sets in support of the above.</summary>
    private static readonly string[] SupportingKeys =
    [
        "ASPNETCORE_HTTP_PORTS",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "K8S_POD_NAME",
    ];

    /// <summary>NodeOptions keys the chart leaves unset on purpose, each with the reason.</summary>
    private static readonly Dictionary<string, string> DeliberatelyUnset = new(StringComparer.Ordinal)
    {
        ["Node__SigningKeyPem"] = "the key is mounted from its Secret as a file (Node__SigningKeyFile); as an environment variable it would show in the pod spec's environment of every process",
    };

    private static readonly IReadOnlyList<EnvironmentEntry> Entries = EnvironmentWiring.Entries(ChartTemplate.All());

    private static readonly IReadOnlyList<Dictionary<string, object?>> ExampleValues =
        [.. Repository.ExampleValueFiles().Select(file => ValuesYaml.Merged(file))];

    /// <summary>Every variable the examples' rendered pods get, list indices written as N.</summary>
    private static readonly HashSet<string> RenderedNames =
        [.. ExampleValues.SelectMany(values => new RenderedNode(values).Environment).Select(e => Index().Replace(e.Key, "__N"))];

    [Fact]
    public void NodeOptionsKeys_FoundByReflection_IncludeNestedAndListKeys()
    {
        var keys = NodeConfigurationKeys.All();

        Assert.Contains("Node__AdministrationId", keys);
        Assert.Contains("Node__Partners__N__Id", keys);
        Assert.Contains("Node__Partners__N__PublicKeys__N", keys);
        Assert.Contains("Node__Storage__ConnectionString", keys);
        Assert.Contains("Node__Transport__BrokerUri", keys);
        Assert.Contains("Node__Replication__ResendAfter", keys);
        Assert.Contains("Node__Cluster__Membership", keys);
        Assert.Contains("Node__Cluster__Kubernetes", keys);
        Assert.DoesNotContain("Node__Partners", keys);
    }

    [Fact]
    public void EveryKeyTheNodeReads_IsInTheRenderedEnvironmentOfSomeExample()
    {
        var required = NodeConfigurationKeys.All().Where(k => !DeliberatelyUnset.ContainsKey(k)).Concat(PlatformKeys).Distinct().ToList();

        var missing = required.Where(key => !RenderedNames.Contains(key)).ToList();

        Assert.True(missing.Count == 0, "Rendered for no example: " + string.Join(", ", missing));
    }

    [Fact]
    public void DeliberatelyUnsetKeys_AreStillBoundByTheNodeAndAbsentFromTheChart()
    {
        // An exclusion for a key the node no longer reads, or that the chart sets after all, is stale.
        var keys = NodeConfigurationKeys.All();

        foreach (var key in DeliberatelyUnset.Keys)
        {
            Assert.Contains(key, keys);
            Assert.DoesNotContain(Entries, e => e.Name == key);
            Assert.DoesNotContain(key, RenderedNames);
        }
    }

    [Fact]
    public void EveryVariableTheChartSets_IsOneTheNodeOrItsPlatformReads()
    {
        var known = NodeConfigurationKeys.All().Concat(PlatformKeys).Concat(SupportingKeys).ToHashSet(StringComparer.Ordinal);

        var unknown = Entries.Where(e => !known.Contains(e.Name)).Select(e => e.ToString()).ToList();

        Assert.True(unknown.Count == 0, "Set by the chart but read by nothing: " + string.Join(", ", unknown));
    }

    [Fact]
    public void EveryVariableTheChartSets_IsDrivenByValuesTheSchemaDeclares()
    {
        var schema = SchemaValidator.ForChart();
        var problems = new List<string>();

        foreach (var entry in Entries)
        {
            if (entry.ValuesPaths.Count == 0)
            {
                problems.Add($"{entry}: no value decides it");
            }

            problems.AddRange(entry.ValuesPaths.Where(p => schema.Describe(p) is null).Select(p => $"{entry}: {p} is not in values.schema.json"));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void ExamplePartnerKeys_AreP256PublicKeys_AndAgreeAcrossAdministrations()
    {
        var keysByPartner = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var values in ExampleValues)
        {
            foreach (var partner in ((List<object?>)values["partners"]!).Cast<Dictionary<string, object?>>())
            {
                var id = (string)partner["id"]!;
                var keys = ((List<object?>)partner["publicKeys"]!).Cast<string>().ToList();
                Assert.All(keys, pem => PublicKey.FromPem(pem));
                var joined = string.Join('\n', keys.Select(k => k.Trim()));
                Assert.Equal(keysByPartner.GetValueOrDefault(id, joined), joined);
                keysByPartner[id] = joined;
            }
        }

        Assert.Equal(["BE", "JP", "NL"], keysByPartner.Keys.Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"__\d+(?=__|$)")]
    private static partial Regex Index();
}
