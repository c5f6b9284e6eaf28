using System.Text.RegularExpressions;
using Interconnect.Deploy.Tests.Support;

namespace Interconnect.Deploy.Tests;

/// <summary>The templates are well formed and read only values that exist; the chart holds no secret.</summary>
public sealed partial class ChartTemplateTests
{
    private static readonly IReadOnlyList<ChartTemplate> Templates = ChartTemplate.All();

    public static TheoryData<string> TemplateNames => [.. Templates.Select(t => t.Name)];

    [Fact]
    public void Chart_HasTheTemplatesItPromises()
    {
        var names = Templates.Select(t => t.Name).ToList();

        foreach (var expected in new[]
        {
            "templates/_helpers.tpl", "templates/NOTES.txt", "templates/deployment.yaml", "templates/service.yaml",
            "templates/configmap.yaml", "templates/poddisruptionbudget.yaml", "templates/networkpolicy.yaml",
            "templates/dashboards-configmap.yaml", "templates/serviceaccount.yaml", "templates/rbac.yaml",
        })
        {
            Assert.Contains(expected, names);
        }
    }

    [Theory]
    [MemberData(nameof(TemplateNames))]
    public void Delimiters_PairUp(string name) =>
        Assert.Empty(ChartTemplate.Named(name).DelimiterProblems());

    [Theory]
    [MemberData(nameof(TemplateNames))]
    public void Blocks_AreEachEndedOnce(string name) =>
        Assert.Empty(ChartTemplate.Named(name).BlockProblems());

    [Fact]
    public void DelimiterAndBlockChecks_CatchBrokenTemplates()
    {
        Assert.NotEmpty(ChartTemplate.FromText("broken", "a: {{ .Values.a }\nb: {{ .Values.b }}").DelimiterProblems());
        Assert.NotEmpty(ChartTemplate.FromText("broken", "a: }} {{ .Values.a }}").DelimiterProblems());
        Assert.NotEmpty(ChartTemplate.FromText("broken", "{{- if .Values.a }}\na: 1\n").BlockProblems());
        Assert.NotEmpty(ChartTemplate.FromText("broken", "a: 1\n{{- end }}").BlockProblems());
        Assert.Empty(ChartTemplate.FromText("fine", "{{/* a comment with }} in it */}}\n{{- if .Values.a }}a{{ else }}b{{ end }}").BlockProblems());
    }

    [Fact]
    public void EveryIncludedTemplate_IsDefined()
    {
        var defined = Templates.SelectMany(t => t.Defines()).ToHashSet(StringComparer.Ordinal);
        var files = Templates.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var undefined = Templates
            .SelectMany(t => t.IncludedNames().Where(i => !defined.Contains(i.Name)).Select(i => $"{t.Name}:{i.Line} includes \"{i.Name}\""))
            .Concat(Templates.SelectMany(t => t.IncludedFiles().Where(i => !files.Contains(i.File)).Select(i => $"{t.Name}:{i.Line} includes file {i.File}")))
            .ToList();

        Assert.True(undefined.Count == 0, string.Join(Environment.NewLine, undefined));
        Assert.Contains("interconnect.fullname", defined);
    }

    [Fact]
    public void EveryValueATemplateReads_IsInValuesYamlAndTheSchema()
    {
        var defaults = ValuesYaml.Load(Repository.ChartFile("values.yaml"));
        var schema = SchemaValidator.ForChart();
        var problems = new List<string>();

        foreach (var template in Templates)
        {
            foreach (var (line, path) in template.ValuesPaths())
            {
                // Paths into list items ("partners[].id") have no default to find; the schema declares them.
                if (!path.Contains("[]", StringComparison.Ordinal) && !ValuesYaml.At(defaults, path).Found)
                {
                    problems.Add($"{template.Name}:{line}: {path} is not in values.yaml");
                }

                if (schema.Describe(path) is null)
                {
                    problems.Add($"{template.Name}:{line}: {path} is not in values.schema.json");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryValueInValuesYaml_IsReadByATemplate()
    {
        var used = Templates.SelectMany(t => t.ValuesPaths()).Select(p => p.Path.Replace("[]", string.Empty, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var defaults = ValuesYaml.Load(Repository.ChartFile("values.yaml"));

        var unused = Leaves(defaults, string.Empty)
            .Where(leaf => !used.Any(u => u == leaf || leaf.StartsWith(u + ".", StringComparison.Ordinal) || u.StartsWith(leaf + ".", StringComparison.Ordinal)))
            .ToList();

        Assert.True(unused.Count == 0, "Values no template reads: " + string.Join(", ", unused));
    }

    [Fact]
    public void TemplatesAndValues_HoldNoCredential()
    {
        var files = new[] { Repository.ChartFile("values.yaml") }
            .Concat(Repository.ExampleValueFiles())
            .Concat(Directory.GetFiles(Repository.ChartFile("templates")));

        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(PrivateKeyPem(), text);
            Assert.DoesNotMatch(UriWithPassword(), text);
            Assert.DoesNotMatch(StorageAccountKey(), text);
        }

        // The chart references Secrets; it never makes one (that would put the value in the release).
        Assert.DoesNotContain(Templates, t => KindSecret().IsMatch(t.Text));
    }

    [Fact]
    public void Deployment_RunsNonRootReadOnlyWithoutPrivileges()
    {
        var deployment = ChartTemplate.Named("templates/deployment.yaml").Text;

        foreach (var required in new[]
        {
            "runAsNonRoot: true", "runAsUser: {{ .Values.securityContext.runAsUser }}", "readOnlyRootFilesystem: true",
            "allowPrivilegeEscalation: false", "- ALL", "type: RuntimeDefault",
            "automountServiceAccountToken: {{ .Values.cluster.kubernetes.enabled }}",
            "mountPath: /tmp", "emptyDir:", "path: /health/live", "path: /health/ready", "startupProbe:",
            "resources:", "checksum/config:", "terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}",
        })
        {
            Assert.Contains(required, deployment, StringComparison.Ordinal);
        }

        // The account itself never hands out its token; only pods that ask for it (Orleans' Kubernetes hosting) get one.
        Assert.Contains("automountServiceAccountToken: false", ChartTemplate.Named("templates/serviceaccount.yaml").Text, StringComparison.Ordinal);

        Assert.DoesNotContain("privileged: true", deployment, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboards_LoadEveryJsonFileWithTheGrafanaSidecarLabel()
    {
        var dashboards = ChartTemplate.Named("templates/dashboards-configmap.yaml").Text;

        Assert.Contains(".Files.Glob \"dashboards/*.json\"", dashboards, StringComparison.Ordinal);
        Assert.Contains("grafana_dashboard: \"1\"", dashboards, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPolicy_HasARuleForEveryEgressDestination()
    {
        var policy = ChartTemplate.Named("templates/networkpolicy.yaml");
        var paths = policy.ValuesPaths().Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var egress = (Dictionary<string, object?>)ValuesYaml.At(ValuesYaml.Load(Repository.ChartFile("values.yaml")), "networkPolicy.egress").Value!;

        Assert.Equal(["broker", "dns", "kubernetesApi", "otlpCollector", "partnerBrokers", "storage"], egress.Keys.Order(StringComparer.Ordinal));
        foreach (var destination in egress.Keys)
        {
            Assert.Contains($"networkPolicy.egress.{destination}.ports", paths);
            Assert.Contains($"networkPolicy.egress.{destination}.to", paths);
        }

        Assert.Contains("- Egress", policy.Text, StringComparison.Ordinal);
        Assert.Contains("- Ingress", policy.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ChartYaml_IsAVersion2ApplicationChart()
    {
        var chart = ValuesYaml.Load(Repository.ChartFile("Chart.yaml"));

        Assert.Equal("v2", chart["apiVersion"]);
        Assert.Equal("interconnect", chart["name"]);
        Assert.Equal("application", chart["type"]);
        Assert.Matches(SemanticVersion(), (string)chart["version"]!);
        Assert.Matches(SemanticVersion(), (string)chart["appVersion"]!);
    }

    private static IEnumerable<string> Leaves(Dictionary<string, object?> map, string prefix)
    {
        foreach (var (key, value) in map)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is Dictionary<string, object?> { Count: > 0 } inner)
            {
                foreach (var leaf in Leaves(inner, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    [GeneratedRegex(@"-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----")]
    private static partial Regex PrivateKeyPem();

    [GeneratedRegex(@"amqps?://[^/\s:@]+:[^@\s]+@")]
    private static partial Regex UriWithPassword();

    [GeneratedRegex(@"AccountKey=[A-Za-z0-9+/=]{8,}")]
    private static partial Regex StorageAccountKey();

    [GeneratedRegex(@"(?m)^kind:\s*Secret\s*$")]
    private static partial Regex KindSecret();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemanticVersion();
}
