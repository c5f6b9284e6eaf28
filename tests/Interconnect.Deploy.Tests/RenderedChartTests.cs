using System.Security.Cryptography;
using CertificateRequest = System.Security.Cryptography.X509Certificates.CertificateRequest;
using X509BasicConstraintsExtension = System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension;
using System.Text.RegularExpressions;
using Interconnect.Deploy.Tests.Support;
using Interconnect.Deploy.Tests.Support.Rendering;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Microsoft.Extensions.Configuration;

namespace Interconnect.Deploy.Tests;

/// <summary>
/// The chart rendered (by the test project's renderer, as `helm template` would) for each
/// administration's example: valid objects, a configuration the node accepts, secrets only by reference.
/// </summary>
public sealed partial class RenderedChartTests
{
    public static TheoryData<string> Examples => [.. Repository.ExampleValueFiles().Select(f => Path.GetFileName(f))];

    /// <summary>Stand-ins for what each Secret would hold, keyed as the environment reads them.</summary>
    private static string SecretValue(string reference) => reference switch
    {
        _ when reference.Contains("storage", StringComparison.Ordinal) => "UseDevelopmentStorage=true",
        _ => $"amqps://user:password@{reference.Split('/')[0]["secret:".Length..]}.example/vhost",
    };

    /// <summary>Stand-ins for what the downward API gives the pod, keyed by field path.</summary>
    private static string FieldValue(string reference) => reference["field:".Length..] switch
    {
        "status.podIP" => "10.244.1.17",
        "metadata.name" => "nl-interconnect-5d8c7b9f4-x2k8q",
        "metadata.namespace" => "customs",
        var path => throw new InvalidDataException($"no stand-in for the pod field {path}"),
    };

    private static NodeOptions Bind(RenderedNode node)
    {
        // The node reads its environment with AddEnvironmentVariables, where "__" means ":".
        var settings = node.Environment.ToDictionary(
            e => e.Key.Replace("__", ":", StringComparison.Ordinal),
            e => (string?)(e.Value.StartsWith("secret:", StringComparison.Ordinal) ? SecretValue(e.Value)
                : e.Value.StartsWith("field:", StringComparison.Ordinal) ? FieldValue(e.Value)
                : e.Value),
            StringComparer.OrdinalIgnoreCase);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new NodeOptions();
        configuration.GetSection(NodeOptions.Section).Bind(options);
        return options;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_RendersTheNodesObjects(string file)
    {
        var node = RenderedNode.ForExample(file);

        var kinds = node.Objects.Select(o => (string)o["kind"]!).ToList();

        foreach (var kind in new[] { "Deployment", "Service", "ServiceAccount", "NetworkPolicy" })
        {
            Assert.Single(kinds, k => k == kind);
        }

        var rbac = KubernetesHosting(node) && (bool)ValuesYaml.At(node.Values, "cluster.kubernetes.rbac.create").Value!;
        Assert.Equal(rbac ? 1 : 0, kinds.Count(k => k == "Role"));
        Assert.Equal(rbac ? 1 : 0, kinds.Count(k => k == "RoleBinding"));

        // The node's configuration, and the dashboards shipped in dashboards/ for Grafana's sidecar.
        var configMaps = node.Objects.Where(o => (string)o["kind"]! == "ConfigMap").ToList();
        Assert.Equal(2, configMaps.Count);
        Assert.Single(configMaps, c => RenderedNode.Map(RenderedNode.Map(c, "metadata"), "labels").TryGetValue("grafana_dashboard", out var label) && (string?)label == "1");

        Assert.DoesNotContain("Secret", kinds);
        Assert.All(node.Objects, o => Assert.Equal(
            node.Values["node"] is Dictionary<string, object?> n ? n["administrationId"] : null,
            RenderedNode.Map(RenderedNode.Map(o, "metadata"), "labels")["interconnect.customs/administration"]));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_EnvironmentBindsToANodeConfigurationTheNodeAccepts(string file) =>
        AssertTheNodeAccepts(RenderedNode.ForExample(file));

    [Fact]
    public void Defaults_BindToANodeConfigurationTheNodeAccepts() =>
        AssertTheNodeAccepts(new RenderedNode(ChartValues.Defaults()));

    [Fact]
    public void Demonstration_BindsToANodeConfigurationTheNodeAccepts() =>
        AssertTheNodeAccepts(new RenderedNode(ChartValues.Demonstration()));

    private static void AssertTheNodeAccepts(RenderedNode node)
    {
        var options = Bind(node);

        // The key and certificate files are mounted in the pod; here real ones stand in at paths that exist.
        var keyFile = Path.GetTempFileName();
        var certificateFile = Path.GetTempFileName();
        try
        {
            using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
                var request = new CertificateRequest("CN=Interconnect test", key, HashAlgorithmName.SHA256);
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
            }

            var mountedAt = options.SigningKeyFile;
            options.SigningKeyFile = keyFile;
            var heldAt = options.AdditionalSigningKeyFiles.ToList();
            for (var i = 0; i < options.AdditionalSigningKeyFiles.Count; i++)
            {
                options.AdditionalSigningKeyFiles[i] = keyFile;
            }
            if (options.Transport.CaCertificatesPath is not null)
            {
                options.Transport.CaCertificatesPath = certificateFile;
            }

            if (options.Transport.ClientCertificatePath is not null)
            {
                (options.Transport.ClientCertificatePath, options.Transport.ClientKeyPath) = (certificateFile, keyFile);
            }

            Assert.Empty(NodeOptionsValidation.Check(options));
            Assert.Equal(ValuesYaml.At(node.Values, "node.administrationId").Value, options.AdministrationId);
            Assert.Equal(((List<object?>)node.Values["partners"]!).Count, options.Partners.Count);
            Assert.All(options.Partners.SelectMany(p => p.PublicKeys), pem => PublicKey.FromPem(pem));
            Assert.Equal(MountedFile(node, "signing-key"), mountedAt);
            Assert.Equal(heldAt.Select((_, i) => MountedFile(node, $"signing-key-{i}")), heldAt);
        }
        finally
        {
            File.Delete(keyFile);
            File.Delete(certificateFile);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Credentials_AreSecretReferencesToTheSecretsTheValuesName(string file)
    {
        var node = RenderedNode.ForExample(file);
        var named = SecretNames(node.Values).ToHashSet(StringComparer.Ordinal);

        foreach (var credential in node.Environment.Where(e => e.Key is "Node__Storage__ConnectionString" or "Node__Transport__BrokerUri" || LinkKey().IsMatch(e.Key)))
        {
            Assert.StartsWith("secret:", credential.Value, StringComparison.Ordinal);
            Assert.Contains(credential.Value["secret:".Length..].Split('/')[0], named);
        }

        foreach (var volume in RenderedNode.List(node.PodSpec, "volumes").Cast<Dictionary<string, object?>>().Where(v => v.ContainsKey("secret")))
        {
            Assert.Contains((string)RenderedNode.Map(volume, "secret")["secretName"]!, named);
        }

        Assert.DoesNotContain(node.Environment, e => e.Value.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Container_IsLockedDown(string file)
    {
        var node = RenderedNode.ForExample(file);
        var security = RenderedNode.Map(node.Container, "securityContext");
        var pod = RenderedNode.Map(node.PodSpec, "securityContext");

        Assert.Equal(true, security["runAsNonRoot"]);
        Assert.Equal(true, pod["runAsNonRoot"]);
        Assert.NotEqual(0L, security["runAsUser"]);
        Assert.Equal(true, security["readOnlyRootFilesystem"]);
        Assert.Equal(false, security["allowPrivilegeEscalation"]);
        Assert.Equal(["ALL"], RenderedNode.List(RenderedNode.Map(security, "capabilities"), "drop"));
        Assert.Equal("RuntimeDefault", RenderedNode.Map(security, "seccompProfile")["type"]);
        Assert.Equal("RuntimeDefault", RenderedNode.Map(pod, "seccompProfile")["type"]);
        // A token only for Orleans' Kubernetes hosting, the one caller of the Kubernetes API.
        Assert.Equal(KubernetesHosting(node), node.PodSpec["automountServiceAccountToken"]);
        Assert.Equal(ValuesYaml.ToYamlText(node.Values["resources"]), ValuesYaml.ToYamlText(node.Container["resources"]));
        var tmp = RenderedNode.List(node.Container, "volumeMounts").Cast<Dictionary<string, object?>>().Single(m => (string?)m["mountPath"] == "/tmp");
        var volume = RenderedNode.List(node.PodSpec, "volumes").Cast<Dictionary<string, object?>>().Single(v => Equals(v["name"], tmp["name"]));
        Assert.True(volume.ContainsKey("emptyDir"));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ProbesServiceAndPolicy_UseThePortTheNodeListensOn(string file)
    {
        var node = RenderedNode.ForExample(file);
        var https = (bool)ValuesYaml.At(node.Values, "tls.https.enabled").Value!;
        var portName = https ? "https" : "http";
        var port = Assert.Single(RenderedNode.List(node.Container, "ports").Cast<Dictionary<string, object?>>(), p => (string?)p["name"] is "https" or "http");

        Assert.Equal(portName, port["name"]);
        Assert.Equal(port["containerPort"]?.ToString(), https ? node.Variable("ASPNETCORE_HTTPS_PORTS") : node.Variable("ASPNETCORE_HTTP_PORTS"));
        Assert.Equal(string.Empty, https ? node.Variable("ASPNETCORE_HTTP_PORTS") : node.Variable("ASPNETCORE_HTTPS_PORTS"));
        foreach (var (probe, path) in new[] { ("startupProbe", "/health/live"), ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready") })
        {
            var get = RenderedNode.Map(RenderedNode.Map(node.Container, probe), "httpGet");
            Assert.Equal((path, portName, portName.ToUpperInvariant()), ((string)get["path"]!, (string)get["port"]!, (string)get["scheme"]!));
        }

        var servicePort = (Dictionary<string, object?>)Assert.Single(RenderedNode.List(RenderedNode.Map(node.Single("Service"), "spec"), "ports"))!;
        Assert.Equal(portName, servicePort["targetPort"]);
        var ingress = Assert.Single(node.PolicyRules("ingress"), rule => RenderedNode.List(rule, "ports").Cast<Dictionary<string, object?>>().Any(p => Equals(p["port"], portName)));
        Assert.Single(RenderedNode.List(ingress, "ports"));
    }

    [Fact]
    public void Https_MountsTheTlsSecretWhereKestrelLooks()
    {
        var node = RenderedNode.ForExample("values-nl.yaml");

        Assert.Equal(MountedFile(node, "https-certificate", "tls.crt"), node.Variable("Kestrel__Certificates__Default__Path"));
        Assert.Equal(MountedFile(node, "https-certificate", "tls.key"), node.Variable("Kestrel__Certificates__Default__KeyPath"));
        Assert.Equal("interconnect-nl-https", SecretOfVolume(node, "https-certificate"));
    }

    [Fact]
    public void PlainHttp_HasNoCertificateSettings()
    {
        var node = RenderedNode.ForExample("values-be.yaml");

        Assert.Null(node.Variable("Kestrel__Certificates__Default__Path"));
        Assert.DoesNotContain(RenderedNode.List(node.PodSpec, "volumes").Cast<Dictionary<string, object?>>(), v => Equals(v["name"], "https-certificate"));
    }

    [Fact]
    public void BrokerCa_IsMountedWhereTheNodeLooks_AndAbsentWhenTheSystemStoreIsUsed()
    {
        var japan = RenderedNode.ForExample("values-jp.yaml");
        var belgium = RenderedNode.ForExample("values-be.yaml");

        Assert.Equal(MountedFile(japan, "broker-ca", "ca-bundle.pem"), japan.Variable("Node__Transport__CaCertificatesPath"));
        Assert.Equal("interconnect-jp-ca", SecretOfVolume(japan, "broker-ca"));
        Assert.Null(belgium.Variable("Node__Transport__CaCertificatesPath"));
    }

    [Fact]
    public void Telemetry_NamesTheAdministrationAndPod()
    {
        var node = RenderedNode.ForExample("values-nl.yaml");
        var names = node.Environment.Select(e => e.Key).ToList();

        Assert.Equal("http://otel-collector.observability:4317", node.Variable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("interconnect-node", node.Variable("OTEL_SERVICE_NAME"));
        var attributes = node.Variable("OTEL_RESOURCE_ATTRIBUTES")!.Split(',');
        Assert.Contains("interconnect.administration=NL", attributes);
        Assert.Contains("k8s.pod.name=$(K8S_POD_NAME)", attributes);
        Assert.Contains("deployment.environment=production", attributes);
        // The kubelet expands $(K8S_POD_NAME) only from a variable declared earlier.
        Assert.True(names.IndexOf("K8S_POD_NAME") < names.IndexOf("OTEL_RESOURCE_ATTRIBUTES"));
        Assert.Null(RenderedNode.ForExample("values-be.yaml").Variable("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public void NetworkPolicy_OpensEgressOnlyForWhatTheNodeUses()
    {
        var netherlands = Egress(RenderedNode.ForExample("values-nl.yaml"));
        var belgium = Egress(RenderedNode.ForExample("values-be.yaml"));
        var demonstration = Egress(new RenderedNode(ChartValues.Demonstration()));

        // DNS, the other silos, the broker, the partners' brokers, storage, the Kubernetes API, the collector.
        Assert.Equal([53L, 53L, 11111L, 5671L, 5671L, 443L, 6443L, 4317L], netherlands);
        Assert.Equal([53L, 53L, 11111L, 5671L, 5671L, 443L], belgium);
        Assert.Equal([53L, 53L], demonstration);
    }

    [Fact]
    public void DisruptionBudget_EvictsOneSiloAtATime_OnlyWithMoreThanOneReplica()
    {
        var netherlands = RenderedNode.ForExample("values-nl.yaml");
        var budget = RenderedNode.Map(netherlands.Single("PodDisruptionBudget"), "spec");

        Assert.Equal(1L, budget["maxUnavailable"]);
        Assert.False(budget.ContainsKey("minAvailable"));
        Assert.Equal(ValuesYaml.ToYamlText(netherlands.PodSelector), ValuesYaml.ToYamlText(RenderedNode.Map(budget, "selector")));
        Assert.Empty(new RenderedNode(ValuesYaml.With(ChartValues.Example("values-nl.yaml"), "replicaCount", 1L)).OfKind("PodDisruptionBudget"));
        Assert.Empty(new RenderedNode(ChartValues.Demonstration()).OfKind("PodDisruptionBudget"));
    }

    [Fact]
    public void ConfigChecksum_ChangesWithTheConfiguration()
    {
        var values = ValuesYaml.Merged(Repository.ChartFile("examples", "values-nl.yaml"));

        var before = Checksum(new RenderedNode(values));
        var after = Checksum(new RenderedNode(ValuesYaml.With(values, "replication.batchSize", 300L)));

        Assert.Matches("^[0-9a-f]{64}$", before);
        Assert.NotEqual(before, after);
    }

    /// <summary>A change to the NL example (several silos) or to the demonstration (one in-memory silo), and the refusal it meets.</summary>
    public static TheoryData<string, string, object?, string> RefusedRenders => new()
    {
        { "values-nl.yaml", "node.administrationId", null, "node.administrationId is required" },
        { "values-nl.yaml", "tls.https.secretName", "", "tls.https.secretName is required" },
        { "values-nl.yaml", "storage.tablePrefix", "", "storage.tablePrefix is required" },
        { "values-nl.yaml", "opentelemetry.endpoint", "", "opentelemetry.endpoint is required" },
        { "values-nl.yaml", "storage.provider", "InMemory", "replicaCount > 1 needs storage.provider AzureTable" },
        { "values-nl.yaml", "cluster.membership", "Localhost", "replicaCount > 1 needs cluster.membership AzureTable" },
        { "values-nl.yaml", "cluster.gatewayPort", 11111L, "cluster.gatewayPort must be 0 (no gateway) or differ from cluster.siloPort" },
        { "values-nl.yaml", "cluster.siloPort", 8443L, "must differ from the API port 8443" },
        { "values-nl.yaml", "node.administrationId", "EU.NL", "cluster id \"eu.nl\"" },
        { "values-nl.yaml", "cluster.clusterId", "-nl", "cluster id \"-nl\"" },
        { "values-nl.yaml", "serviceAccount.create", false, "cluster.kubernetes.rbac.create would grant the namespace's default service account" },
        { "demonstration", "cluster.membership", "AzureTable", "cluster.membership AzureTable keeps the membership table in the node's storage account" },
        { "demonstration", "cluster.kubernetes.enabled", true, "cluster.kubernetes.enabled needs cluster.membership AzureTable" },
    };

    [Theory]
    [MemberData(nameof(RefusedRenders))]
    public void Render_RefusesValuesTheNodeCannotRun(string start, string path, object? value, string message)
    {
        var values = ValuesYaml.With(start == "demonstration" ? ChartValues.Demonstration() : ChartValues.Example(start), path, value);

        var refused = Assert.Throws<RenderException>(() => ChartRenderer.ForChart().Render(values));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboards_EachJsonFileBecomesAKeyOfTheLabelledConfigMap()
    {
        // A copy of the chart with two dashboards, so the test does not depend on which ones exist.
        var copy = Directory.CreateTempSubdirectory("interconnect-chart-");
        try
        {
            foreach (var file in Directory.GetFiles(Repository.Chart, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy.FullName, Path.GetRelativePath(Repository.Chart, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            Directory.CreateDirectory(Path.Combine(copy.FullName, "dashboards"));
            File.WriteAllText(Path.Combine(copy.FullName, "dashboards", "mesh-test.json"), """{ "title": "Mesh" }""");
            File.WriteAllText(Path.Combine(copy.FullName, "dashboards", "ledger-test.json"), """{ "title": "Ledger" }""");
            var objects = new ChartRenderer(copy.FullName).Objects(ValuesYaml.Merged(Repository.ChartFile("examples", "values-nl.yaml")));

            var dashboards = objects.Single(o => (string?)o["kind"] == "ConfigMap" && RenderedNode.Map(RenderedNode.Map(o, "metadata"), "labels").ContainsKey("grafana_dashboard"));

            Assert.Equal("1", RenderedNode.Map(RenderedNode.Map(dashboards, "metadata"), "labels")["grafana_dashboard"]);
            var data = RenderedNode.Map(dashboards, "data");
            Assert.Equal("""{ "title": "Mesh" }""", data["mesh-test.json"]);
            Assert.Equal("""{ "title": "Ledger" }""", data["ledger-test.json"]);
            Assert.Equal("Interconnect", RenderedNode.Map(RenderedNode.Map(dashboards, "metadata"), "annotations")["grafana_folder"]);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static bool KubernetesHosting(RenderedNode node) => (bool)ValuesYaml.At(node.Values, "cluster.kubernetes.enabled").Value!;

    private static List<long> Egress(RenderedNode node) =>
        [.. node.PolicyRules("egress").SelectMany(rule => RenderedNode.List(rule, "ports").Cast<Dictionary<string, object?>>().Select(p => (long)p["port"]!))];

    private static string Checksum(RenderedNode node) =>
        (string)RenderedNode.Map(RenderedNode.Map(RenderedNode.Map(RenderedNode.Map(node.Deployment, "spec"), "template"), "metadata"), "annotations")["checksum/config"]!;

    private static string SecretOfVolume(RenderedNode node, string volume) =>
        (string)RenderedNode.Map(RenderedNode.List(node.PodSpec, "volumes").Cast<Dictionary<string, object?>>().Single(v => Equals(v["name"], volume)), "secret")["secretName"]!;

    /// <summary>Where a Secret volume puts a file in the container: the mount path and the item's path.</summary>
    private static string MountedFile(RenderedNode node, string volume, string? key = null)
    {
        var mount = RenderedNode.List(node.Container, "volumeMounts").Cast<Dictionary<string, object?>>().Single(m => Equals(m["name"], volume));
        var secret = RenderedNode.Map(RenderedNode.List(node.PodSpec, "volumes").Cast<Dictionary<string, object?>>().Single(v => Equals(v["name"], volume)), "secret");
        var item = RenderedNode.List(secret, "items").Cast<Dictionary<string, object?>>().Single(i => key is null || Equals(i["key"], key));
        return $"{mount["mountPath"]}/{item["path"]}";
    }

    private static IEnumerable<string> SecretNames(object? values)
    {
        switch (values)
        {
            case Dictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    if (key == "secretName" && value is string { Length: > 0 } name)
                    {
                        yield return name;
                    }

                    foreach (var inner in SecretNames(value))
                    {
                        yield return inner;
                    }
                }

                break;
            case List<object?> list:
                foreach (var inner in list.SelectMany(SecretNames))
                {
                    yield return inner;
                }

                break;
        }
    }

    [GeneratedRegex(@"^Node__Partners__\d+__Link$")]
    private static partial Regex LinkKey();
}
