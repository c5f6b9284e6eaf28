using Interconnect.Deploy.Tests.Support;
using Interconnect.Deploy.Tests.Support.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Interconnect.Deploy.Tests;

/// <summary>
/// The pods of one release form one Orleans cluster (docs/adr/0011-helm-orleans-cluster.md): what the
/// chart renders for the silos, their membership, Orleans' Kubernetes hosting and their shutdown.
/// </summary>
public sealed class RenderedClusterTests
{
    public static TheoryData<string> Examples => [.. Repository.ExampleValueFiles().Select(f => Path.GetFileName(f))];

    private static Dictionary<string, object?> Ports(RenderedNode node) =>
        RenderedNode.List(node.Container, "ports").Cast<Dictionary<string, object?>>().ToDictionary(p => (string)p["name"]!, p => p["containerPort"]);

    private static Dictionary<string, object?> Labels(Dictionary<string, object?> kubernetesObject) =>
        RenderedNode.Map(RenderedNode.Map(kubernetesObject, "metadata"), "labels");

    [Fact]
    public void Defaults_AreAClusterOfTwoSilosThatRollOneAtATime()
    {
        var node = new RenderedNode(ChartValues.Defaults());
        var spec = RenderedNode.Map(node.Deployment, "spec");
        var rolling = RenderedNode.Map(RenderedNode.Map(spec, "strategy"), "rollingUpdate");

        Assert.Equal(2L, spec["replicas"]);
        Assert.Equal((1L, 0L), (rolling["maxSurge"], rolling["maxUnavailable"]));
        Assert.Equal(1L, RenderedNode.Map(node.Single("PodDisruptionBudget"), "spec")["maxUnavailable"]);
        Assert.Equal("AzureTable", node.Variable("Node__Storage__Provider"));
        Assert.Equal("AzureTable", node.Variable("Node__Cluster__Membership"));
        Assert.Equal("true", node.Variable("Node__Cluster__Kubernetes"));
        Assert.Single(node.OfKind("Role"));
        Assert.Single(node.OfKind("RoleBinding"));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void SiloAndGatewayPorts_AreTheContainerPortsTheNodeIsGiven(string file)
    {
        var node = RenderedNode.ForExample(file);
        var ports = Ports(node);
        var gateway = node.Variable("Node__Cluster__GatewayPort");

        Assert.Equal(node.Variable("Node__Cluster__SiloPort"), ports["silo"]?.ToString());
        Assert.Equal(ValuesYaml.At(node.Values, "cluster.siloPort").Value, ports["silo"]);
        if (gateway == "0")
        {
            Assert.DoesNotContain("gateway", ports.Keys);
        }
        else
        {
            Assert.Equal(gateway, ports["gateway"]?.ToString());
        }

        // The API Service carries the API only: silos reach each other at their pod IPs.
        var servicePorts = RenderedNode.List(RenderedNode.Map(node.Single("Service"), "spec"), "ports").Cast<Dictionary<string, object?>>();
        Assert.DoesNotContain(servicePorts, p => p["targetPort"] is "silo" or "gateway");
    }

    [Fact]
    public void GatewayPortZero_OpensNoGateway_AndTheNodeIsToldSo()
    {
        var japan = RenderedNode.ForExample("values-jp.yaml");
        var netherlands = RenderedNode.ForExample("values-nl.yaml");

        Assert.Equal("0", japan.Variable("Node__Cluster__GatewayPort"));
        Assert.DoesNotContain("gateway", Ports(japan).Keys);
        Assert.Equal(30000L, Ports(netherlands)["gateway"]);
    }

    [Fact]
    public void KubernetesHosting_ReadsThePodFromTheDownwardApi()
    {
        var node = RenderedNode.ForExample("values-nl.yaml");

        Assert.Equal("true", node.Variable("Node__Cluster__Kubernetes"));
        Assert.Equal("field:metadata.name", node.Variable(OrleansKubernetesHosting.PodNameVariable));
        Assert.Equal("field:metadata.namespace", node.Variable(OrleansKubernetesHosting.PodNamespaceVariable));
        Assert.Equal("field:status.podIP", node.Variable(OrleansKubernetesHosting.PodIPVariable));
        Assert.Equal("field:status.podIP", node.Variable("Node__Cluster__AdvertisedAddress"));
        Assert.Equal(true, node.PodSpec["automountServiceAccountToken"]);
    }

    [Fact]
    public void WithoutKubernetesHosting_ThePodGetsNoTokenAndNoOrleansPodVariables()
    {
        var node = RenderedNode.ForExample("values-be.yaml");
        var names = node.Environment.Select(e => e.Key).ToList();

        Assert.Equal("false", node.Variable("Node__Cluster__Kubernetes"));
        Assert.Equal(false, node.PodSpec["automountServiceAccountToken"]);
        foreach (var name in new[]
        {
            OrleansKubernetesHosting.PodNameVariable, OrleansKubernetesHosting.PodNamespaceVariable,
            OrleansKubernetesHosting.PodIPVariable, OrleansKubernetesHosting.ClusterIdVariable,
            OrleansKubernetesHosting.ServiceIdVariable,
        })
        {
            Assert.DoesNotContain(name, names);
        }

        // Still a cluster: the other silos reach this one at its pod IP.
        Assert.Equal("field:status.podIP", node.Variable("Node__Cluster__AdvertisedAddress"));
        Assert.Empty(node.OfKind("Role"));
        Assert.Empty(node.OfKind("RoleBinding"));
    }

    [Fact]
    public void LocalhostSilo_AdvertisesNoPodAddressAndHasNoSiloRules()
    {
        var node = new RenderedNode(ChartValues.Demonstration());

        Assert.Equal("Localhost", node.Variable("Node__Cluster__Membership"));
        Assert.Null(node.Variable("Node__Cluster__AdvertisedAddress"));
        Assert.DoesNotContain(node.PolicyRules("ingress").Concat(node.PolicyRules("egress")), rule => RulePorts(rule).Contains(11111L));
    }

    [Theory]
    [InlineData("values-nl.yaml", "nl")]
    [InlineData("values-jp.yaml", "jp")]
    public void ClusterAndServiceIds_AreTheSameForTheNodeOrleansAndThePodLabels(string file, string clusterId)
    {
        var node = RenderedNode.ForExample(file);

        Assert.Equal(clusterId, node.Variable("Node__Cluster__ClusterId"));
        Assert.Equal(clusterId, node.Variable(OrleansKubernetesHosting.ClusterIdVariable));
        Assert.Equal(clusterId, node.PodLabels[OrleansKubernetesHosting.ClusterIdLabel]);
        Assert.Equal("interconnect", node.Variable("Node__Cluster__ServiceId"));
        Assert.Equal("interconnect", node.Variable(OrleansKubernetesHosting.ServiceIdVariable));
        Assert.Equal("interconnect", node.PodLabels[OrleansKubernetesHosting.ServiceIdLabel]);
    }

    [Fact]
    public void ClusterId_GivenExplicitly_ReplacesTheAdministrationsEverywhere()
    {
        var node = new RenderedNode(ValuesYaml.With(ChartValues.Example("values-nl.yaml"), "cluster.clusterId", "nl-production"));

        Assert.Equal("nl-production", node.Variable("Node__Cluster__ClusterId"));
        Assert.Equal("nl-production", node.Variable(OrleansKubernetesHosting.ClusterIdVariable));
        Assert.Equal("nl-production", node.PodLabels[OrleansKubernetesHosting.ClusterIdLabel]);

        // The selector never carries the ids: changing them must not orphan the release's pods.
        Assert.DoesNotContain(OrleansKubernetesHosting.ClusterIdLabel, RenderedNode.Map(node.PodSelector, "matchLabels").Keys);
    }

    [Fact]
    public void Rbac_GrantsOrleansHostingPodAccess_ToTheServiceAccountThePodsRunAs()
    {
        var node = RenderedNode.ForExample("values-nl.yaml");
        var role = node.Single("Role");
        var binding = node.Single("RoleBinding");
        var account = (string)node.PodSpec["serviceAccountName"]!;

        var rule = (Dictionary<string, object?>)Assert.Single(RenderedNode.List(role, "rules"))!;
        Assert.Equal([string.Empty], RenderedNode.List(rule, "apiGroups"));
        Assert.Equal(["pods"], RenderedNode.List(rule, "resources"));
        Assert.Equal(["delete", "get", "list", "patch", "watch"], RenderedNode.List(rule, "verbs").Cast<string>().Order(StringComparer.Ordinal));

        var roleRef = RenderedNode.Map(binding, "roleRef");
        Assert.Equal(("Role", RenderedNode.Map(role, "metadata")["name"]), (roleRef["kind"], roleRef["name"]));
        var subject = (Dictionary<string, object?>)Assert.Single(RenderedNode.List(binding, "subjects"))!;
        Assert.Equal(("ServiceAccount", account, "customs"), (subject["kind"], subject["name"], subject["namespace"]));
        Assert.Equal(account, RenderedNode.Map(node.Single("ServiceAccount"), "metadata")["name"]);
        Assert.Equal("NL", Labels(role)["interconnect.customs/administration"]);
    }

    [Fact]
    public void Rbac_LeftToTheAdministration_StillMountsTheToken()
    {
        var node = new RenderedNode(ValuesYaml.With(ChartValues.Example("values-nl.yaml"), "cluster.kubernetes.rbac.create", false));

        Assert.Empty(node.OfKind("Role"));
        Assert.Empty(node.OfKind("RoleBinding"));
        Assert.Equal(true, node.PodSpec["automountServiceAccountToken"]);
    }

    [Fact]
    public void NetworkPolicy_LetsOnlyTheReleasesPodsUseTheSiloPort()
    {
        var node = RenderedNode.ForExample("values-nl.yaml");
        var pods = ValuesYaml.ToYamlText(new Dictionary<string, object?> { ["podSelector"] = node.PodSelector });

        var ingress = Assert.Single(node.PolicyRules("ingress"), rule => RulePorts(rule).Contains(11111L));
        var egress = Assert.Single(node.PolicyRules("egress"), rule => RulePorts(rule).Contains(11111L));

        Assert.Equal([11111L], RulePorts(ingress));
        Assert.Equal([pods], RenderedNode.List(ingress, "from").Select(ValuesYaml.ToYamlText));
        Assert.Equal([11111L], RulePorts(egress));
        Assert.Equal([pods], RenderedNode.List(egress, "to").Select(ValuesYaml.ToYamlText));

        // No Orleans client exists outside the silos: nobody is let in to the gateway.
        Assert.DoesNotContain(node.PolicyRules("ingress"), rule => RulePorts(rule).Contains(30000L));
    }

    [Fact]
    public void TerminationGrace_OutlastsTheHostsShutdownTimeout_WhichTheNodesHostReads()
    {
        var node = new RenderedNode(ChartValues.Defaults());
        var grace = (long)node.PodSpec["terminationGracePeriodSeconds"]!;
        var variable = node.Environment.Single(e => e.Key == "DOTNET_SHUTDOWNTIMEOUTSECONDS");

        // The node's builder (WebApplication.CreateSlimBuilder) reads DOTNET_-prefixed variables
        // without their prefix, as host settings; the command line stands in for the environment.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [$"--{variable.Key["DOTNET_".Length..]}={variable.Value}"] });
        using var app = builder.Build();
        var timeout = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

        Assert.Equal(150L, grace);
        Assert.Equal(TimeSpan.FromSeconds(120), timeout);
        Assert.True(timeout < TimeSpan.FromSeconds(grace));
    }

    [Fact]
    public void StartupProbe_OutlastsOrleansLongestJoinAttempt()
    {
        var node = new RenderedNode(ChartValues.Defaults());
        var startup = RenderedNode.Map(node.Container, "startupProbe");
        var allowance = TimeSpan.FromSeconds((long)startup["periodSeconds"]! * (long)startup["failureThreshold"]!);

        // A joining silo retries the silos listed as active until this passes; the log's recovery comes on top.
        Assert.True(allowance > OrleansKubernetesHosting.MaxJoinAttemptTime, $"startup allows {allowance}");
        Assert.Equal("/health/live", RenderedNode.Map(startup, "httpGet")["path"]);
        Assert.Equal("/health/ready", RenderedNode.Map(RenderedNode.Map(node.Container, "readinessProbe"), "httpGet")["path"]);
    }

    [Fact]
    public void Notes_NameTheClusterAndWhatARolloutDoes()
    {
        var notes = ChartRenderer.ForChart().Render(ChartValues.Example("values-nl.yaml"))["templates/NOTES.txt"];
        var demonstration = ChartRenderer.ForChart().Render(ChartValues.Demonstration())["templates/NOTES.txt"];

        Assert.Contains("Orleans cluster: nl (service interconnect), 3 silo(s), membership AzureTable, Kubernetes hosting", notes, StringComparison.Ordinal);
        Assert.Contains("a drain evicts at most 1 silo(s) at a time", notes, StringComparison.Ordinal);
        Assert.Contains("Orleans cluster: nl (service interconnect), 1 silo(s), membership Localhost\n", demonstration, StringComparison.Ordinal);
        Assert.DoesNotContain("rollout starts one new silo", demonstration, StringComparison.Ordinal);
    }

    private static List<long> RulePorts(Dictionary<string, object?> rule) =>
        [.. RenderedNode.List(rule, "ports").Cast<Dictionary<string, object?>>().Select(p => p["port"]).OfType<long>()];
}
