namespace Interconnect.Deploy.Tests.Support;

/// <summary>
/// What Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes, pinned in
/// Directory.Packages.props) reads from the pod: the constants of its KubernetesHostingOptions, and
/// the join timeout of ClusterMembershipOptions. Copied, not referenced: the package brings
/// KubernetesClient, which needs a YamlDotNet newer than the one this project pins.
/// </summary>
internal static class OrleansKubernetesHosting
{
    public const string PodNameVariable = "POD_NAME";

    public const string PodNamespaceVariable = "POD_NAMESPACE";

    public const string PodIPVariable = "POD_IP";

    public const string ClusterIdVariable = "ORLEANS_CLUSTER_ID";

    public const string ServiceIdVariable = "ORLEANS_SERVICE_ID";

    /// <summary>The pod labels the hosting selects the cluster's pods by (and patches onto its own pod when missing).</summary>
    public const string ServiceIdLabel = "orleans/serviceId";

    public const string ClusterIdLabel = "orleans/clusterId";

    /// <summary>
    /// ClusterMembershipOptions.MaxJoinAttemptTime's default: how long a joining silo keeps pinging
    /// the silos the membership table lists as active before it gives up.
    /// </summary>
    public static readonly TimeSpan MaxJoinAttemptTime = TimeSpan.FromMinutes(5);
}
