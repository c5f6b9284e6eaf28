using Interconnect.Deploy.Tests.Support;

namespace Interconnect.Deploy.Tests;

/// <summary>values.schema.json accepts each administration's example and refuses what Helm should refuse.</summary>
public sealed class ValuesSchemaTests
{
    private static readonly SchemaValidator Schema = SchemaValidator.ForChart();

    public static TheoryData<string> Examples => [.. Repository.ExampleValueFiles().Select(f => Path.GetFileName(f))];

    private static Dictionary<string, object?> Netherlands() => ValuesYaml.Merged(Repository.ChartFile("examples", "values-nl.yaml"));

    private static void AssertRefused(Dictionary<string, object?> values, string path, string keyword)
    {
        var errors = Schema.Validate(values);
        Assert.True(
            errors.Any(e => e.Path == path && e.Keyword == keyword),
            $"expected {keyword} at {path}; got: {(errors.Count == 0 ? "no errors" : string.Join(" | ", errors))}");
    }

    [Fact]
    public void Examples_OnePerAdministration_AreThere()
    {
        var names = Repository.ExampleValueFiles().Select(Path.GetFileName).ToList();

        Assert.Contains("values-nl.yaml", names);
        Assert.Contains("values-jp.yaml", names);
        Assert.Contains("values-be.yaml", names);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_MergedOverDefaults_Validates(string file)
    {
        var values = ValuesYaml.Merged(Repository.ChartFile("examples", file));

        var errors = Schema.Validate(values);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void Defaults_Alone_AreRefusedForNoNodeIdAndNoSigningKey()
    {
        var defaults = ValuesYaml.Load(Repository.ChartFile("values.yaml"));

        AssertRefused(defaults, "$.node.administrationId", "pattern");
        AssertRefused(defaults, "$.signingKey.secretName", "minLength");
        // A cluster on Azure Table storage by default: the administration names its table prefix and account.
        AssertRefused(defaults, "$.storage.tablePrefix", "minLength");
        AssertRefused(defaults, "$.storage.connectionString.secretName", "minLength");
    }

    [Fact]
    public void Defaults_WithTheNamesAnAdministrationGives_Validate()
    {
        var errors = Schema.Validate(ChartValues.Defaults());

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void NodeId_Removed_IsRequired()
    {
        // A user null deletes the default, as with --set node.administrationId=null.
        var values = ValuesYaml.With(Netherlands(), "node.administrationId", null);

        AssertRefused(values, "$.node", "required");
    }

    public static TheoryData<string, object, string, string> WrongValues => new()
    {
        { "replicaCount", "two", "$.replicaCount", "type" },
        { "tls.https.enabled", "true", "$.tls.https.enabled", "type" },
        { "partners", "JP", "$.partners", "type" },
        { "replication.batchSize", 5000L, "$.replication.batchSize", "maximum" },
        { "replication.resendAfter", "10s", "$.replication.resendAfter", "pattern" },
        { "storage.provider", "Postgres", "$.storage.provider", "enum" },
        { "node.administrationId", "N L", "$.node.administrationId", "pattern" },
        { "storage.tablePrefix", "nl-2026", "$.storage.tablePrefix", "pattern" },
        { "securityContext.runAsUser", 0L, "$.securityContext.runAsUser", "minimum" },
        { "opentelemetry.protocol", "udp", "$.opentelemetry.protocol", "enum" },
        { "containerPorts.https", 70000L, "$.containerPorts.https", "maximum" },
        { "cluster.membership", "Consul", "$.cluster.membership", "enum" },
        { "cluster.clusterId", "nl.customs", "$.cluster.clusterId", "pattern" },
        { "cluster.serviceId", "", "$.cluster.serviceId", "pattern" },
        { "cluster.siloPort", 0L, "$.cluster.siloPort", "minimum" },
        { "cluster.gatewayPort", 70000L, "$.cluster.gatewayPort", "maximum" },
        { "cluster.kubernetes.enabled", "yes", "$.cluster.kubernetes.enabled", "type" },
        { "podDisruptionBudget.maxUnavailable", 0L, "$.podDisruptionBudget.maxUnavailable", "minimum" },
        { "terminationGracePeriodSeconds", 10L, "$.terminationGracePeriodSeconds", "minimum" },
    };

    [Theory]
    [MemberData(nameof(WrongValues))]
    public void WrongTypeOrRange_IsRefused(string path, object value, string errorPath, string keyword) =>
        AssertRefused(ValuesYaml.With(Netherlands(), path, value), errorPath, keyword);

    public static TheoryData<string, string, string, string> InlinedSecrets => new()
    {
        { "transport.brokerUri", "amqps://nl:s3cret@broker.douane.example/nl", "$.transport.brokerUri", "type" },
        { "storage.connectionString", "DefaultEndpointsProtocol=https;AccountName=nl;AccountKey=c2VjcmV0", "$.storage.connectionString", "type" },
        { "signingKey", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", "$.signingKey", "type" },
        { "signingKey.pem", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", "$.signingKey.pem", "additionalProperties" },
        { "transport.brokerUri.secretName", "amqps://nl:s3cret@broker.douane.example/nl", "$.transport.brokerUri.secretName", "pattern" },
        { "tls.https.key", "-----BEGIN PRIVATE KEY-----", "$.tls.https.key", "additionalProperties" },
    };

    [Theory]
    [MemberData(nameof(InlinedSecrets))]
    public void SecretValue_WhereAReferenceBelongs_IsRefused(string path, string secret, string errorPath, string keyword) =>
        AssertRefused(ValuesYaml.With(Netherlands(), path, secret), errorPath, keyword);

    [Fact]
    public void PartnerLink_WrittenInline_IsRefused()
    {
        var values = Netherlands();
        var partners = (List<object?>)values["partners"]!;
        var japan = new Dictionary<string, object?>((Dictionary<string, object?>)partners[0]!, StringComparer.Ordinal)
        {
            ["link"] = "amqps://nl-link:s3cret@broker.customs.example/jp",
        };
        values["partners"] = new List<object?> { japan, partners[1] };

        AssertRefused(values, "$.partners[0].link", "type");
    }

    public static TheoryData<string, object, string> UnknownKeys => new()
    {
        { "replicas", 3L, "$.replicas" },
        { "node.id", "NL", "$.node.id" },
        { "tls.https.certificate", "interconnect-nl-https", "$.tls.https.certificate" },
        { "storage.connectionString.value", "UseDevelopmentStorage=true", "$.storage.connectionString.value" },
        { "opentelemetry.headers", "api-key=x", "$.opentelemetry.headers" },
        { "podDisruptionBudget.minAvailable", 1L, "$.podDisruptionBudget.minAvailable" },
        { "cluster.kubernetes.deleteDefunctSiloPods", true, "$.cluster.kubernetes.deleteDefunctSiloPods" },
    };

    [Theory]
    [MemberData(nameof(UnknownKeys))]
    public void UnknownKey_IsRefused(string path, object value, string errorPath) =>
        AssertRefused(ValuesYaml.With(Netherlands(), path, value), errorPath, "additionalProperties");

    [Fact]
    public void AzureTable_WithoutTablePrefixOrConnectionSecret_IsRefused()
    {
        var values = ValuesYaml.With(ValuesYaml.With(Netherlands(), "storage.tablePrefix", ""), "storage.connectionString.secretName", "");

        AssertRefused(values, "$.storage.tablePrefix", "minLength");
        AssertRefused(values, "$.storage.connectionString.secretName", "minLength");
    }

    [Fact]
    public void RabbitMq_PartnerWithoutLink_IsRefused()
    {
        var values = Netherlands();
        var partners = (List<object?>)values["partners"]!;
        var japan = new Dictionary<string, object?>((Dictionary<string, object?>)partners[0]!, StringComparer.Ordinal);
        japan.Remove("link");
        values["partners"] = new List<object?> { japan };

        AssertRefused(values, "$.partners[0]", "required");
    }

    [Fact]
    public void Https_WithoutCertificateSecret_IsRefused() =>
        AssertRefused(ValuesYaml.With(Netherlands(), "tls.https.secretName", ""), "$.tls.https.secretName", "minLength");

    [Fact]
    public void Telemetry_WithoutEndpoint_IsRefused() =>
        AssertRefused(ValuesYaml.With(Netherlands(), "opentelemetry.endpoint", ""), "$.opentelemetry.endpoint", "minLength");

    [Fact]
    public void InMemoryNode_NeedsNoStorageOrBrokerSecrets()
    {
        // The conditions bind only their own feature: a demonstration node validates without them.
        var errors = Schema.Validate(ChartValues.Demonstration());

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void SeveralSilos_NeedAzureTableStorageAndMembership()
    {
        AssertRefused(ValuesYaml.With(Netherlands(), "storage.provider", "InMemory"), "$.storage.provider", "const");
        AssertRefused(
            ChartValues.Apply(Netherlands(), ("cluster.membership", "Localhost"), ("cluster.kubernetes.enabled", false)),
            "$.cluster.membership",
            "const");
        AssertRefused(ValuesYaml.With(ChartValues.Demonstration(), "replicaCount", 2L), "$.storage.provider", "const");
    }

    [Fact]
    public void OneSilo_MayKeepItsOwnMembership_OnAnyStorage()
    {
        var errors = Schema.Validate(ChartValues.Apply(
            Netherlands(), ("replicaCount", 1L), ("cluster.membership", "Localhost"), ("cluster.kubernetes.enabled", false)));

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void AzureTableMembership_OnInMemoryStorage_IsRefused() =>
        AssertRefused(ValuesYaml.With(ChartValues.Demonstration(), "cluster.membership", "AzureTable"), "$.storage.provider", "const");

    [Fact]
    public void KubernetesHosting_OfALocalhostSilo_IsRefused() =>
        AssertRefused(ValuesYaml.With(ChartValues.Demonstration(), "cluster.kubernetes.enabled", true), "$.cluster.membership", "const");
}
