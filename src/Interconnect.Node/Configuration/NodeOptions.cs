namespace Interconnect.Node.Configuration;

/// <summary>
/// One administration's node: who it is, its signing key, its partners, where it stores and how it
/// talks. Bound from the "Node" configuration section (environment variables <c>Node__Key</c>).
/// </summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Node";

    /// <summary>This administration's id, e.g. "NL" (the origin of every entry it signs).</summary>
    public string AdministrationId { get; set; } = string.Empty;

    /// <summary>The signing key as PEM text (PKCS#8 or SEC1 EC private key), e.g. from a mounted secret via environment.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>A file holding the signing key PEM; used when <see cref="SigningKeyPem"/> is empty.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>
    /// Further private keys this node holds (PEM files), beside the signing key: a staged next key to
    /// rotate to, a standby key for an emergency. Held only; the key set says which one signs.
    /// </summary>
    public IList<string> AdditionalSigningKeyFiles { get; } = [];

    /// <summary>The partner administrations this node exchanges with.</summary>
    public IList<PartnerOptions> Partners { get; } = [];

    /// <summary>Where the node keeps its ledgers, log and cursors.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>The message transport.</summary>
    public TransportOptions Transport { get; set; } = new();

    /// <summary>Replication tuning.</summary>
    public ReplicationOptions Replication { get; set; } = new();

    /// <summary>Who may call the HTTP API, and the public endpoints' rate limits.</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary>The Orleans cluster this node's silo joins: one cluster per administration.</summary>
    public ClusterOptions Cluster { get; set; } = new();
}

/// <summary>
/// The silo's cluster: every node process of one administration is a silo of one Orleans cluster.
/// Bound from <c>Node:Cluster</c> (environment variables <c>Node__Cluster__Key</c>).
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// How silos find each other: "Localhost" (one silo, or several in one process; the demo and
    /// tests) or "AzureTable" (membership in the storage account of <see cref="StorageOptions.ConnectionString"/>).
    /// </summary>
    public string Membership { get; set; } = ClusterMemberships.Localhost;

    /// <summary>The cluster id; the administration id in lower case when empty. Silos with the same id form one cluster.</summary>
    public string? ClusterId { get; set; }

    /// <summary>The service id: stable across deployments, since grain state is keyed by it.</summary>
    public string ServiceId { get; set; } = "interconnect";

    /// <summary>The port silos talk to each other on; 0 for a port free at start (several nodes on one machine).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients connect to (0: no gateway).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address this silo advertises to the others; the first non-loopback address when empty, or
    /// 127.0.0.1 under Localhost membership. Under Kubernetes the pod's IP.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Run under Orleans' Kubernetes hosting integration: silo name, cluster and service ids and the
    /// advertised address come from the pod (POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_CLUSTER_ID,
    /// ORLEANS_SERVICE_ID), and silos of pods that are gone are declared dead promptly.
    /// </summary>
    public bool Kubernetes { get; set; }
}

/// <summary>Cluster membership providers.</summary>
public static class ClusterMemberships
{
    /// <summary>Silos in one process or on one machine (development clustering).</summary>
    public const string Localhost = "Localhost";

    /// <summary>Membership table in Azure Table storage.</summary>
    public const string AzureTable = "AzureTable";
}

/// <summary>A partner administration: its id, how to reach its broker, and the keys we trust for it.</summary>
public sealed class PartnerOptions
{
    /// <summary>The partner's administration id.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>
    /// The partner's inbound broker (RabbitMQ transport): an AMQP URI with its virtual host, e.g.
    /// amqps://nl-link:secret@broker.customs.example/nl. Unused by the in-memory transport.
    /// </summary>
    public string? Link { get; set; }

    /// <summary>
    /// The partner's public verification keys (PEM, SubjectPublicKeyInfo). The first is the partner's
    /// pinned genesis key, exchanged at onboarding: its key set must start with it. The others verify
    /// only until the partner's key set arrives; from then on the key set alone decides.
    /// </summary>
    public IList<string> PublicKeys { get; } = [];
}

/// <summary>The storage provider.</summary>
public sealed class StorageOptions
{
    /// <summary>"InMemory" (demo and tests; nothing survives a restart) or "AzureTable".</summary>
    public string Provider { get; set; } = StorageProviders.InMemory;

    /// <summary>Azure Storage connection string (AzureTable); "UseDevelopmentStorage=true" for Azurite. Or <see cref="ServiceUri"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The Table service endpoint (https) to reach with the node's own Azure identity (a managed
    /// identity, or whatever DefaultAzureCredential finds) instead of an account key. Used for the
    /// ledger tables and the cluster's membership table alike. Or <see cref="ConnectionString"/>.
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Table-name prefix (AzureTable): letters and digits, one per administration.</summary>
    public string? TablePrefix { get; set; }
}

/// <summary>Storage provider names.</summary>
public static class StorageProviders
{
    /// <summary>In-process memory.</summary>
    public const string InMemory = "InMemory";

    /// <summary>Azure Table storage over REST.</summary>
    public const string AzureTable = "AzureTable";
}

/// <summary>The message transport.</summary>
public sealed class TransportOptions
{
    /// <summary>"InMemory" (one process, the demo) or "RabbitMq".</summary>
    public string Kind { get; set; } = TransportKinds.InMemory;

    /// <summary>This administration's own broker (RabbitMq): an AMQP URI with its virtual host.</summary>
    public string? BrokerUri { get; set; }

    /// <summary>
    /// A PEM file of the certificate authorities trusted for amqps connections to our broker and the
    /// partners' brokers (e.g. a mounted secret); when empty, the system's trust store decides.
    /// </summary>
    public string? CaCertificatesPath { get; set; }

    /// <summary>
    /// A PEM certificate (chain) presented to brokers that ask for one (mutual TLS); needs
    /// <see cref="ClientKeyPath"/>. When empty the node presents none and logs in with the URI's user and password.
    /// </summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>
    /// Accept amqp:// (unencrypted) URIs for brokers that are not on this machine. Off by default:
    /// a link without TLS carries ledger entries and broker passwords in clear text. Loopback hosts
    /// (localhost, 127.0.0.0/8, ::1) are always accepted.
    /// </summary>
    public bool AllowPlaintextLinks { get; set; }
}

/// <summary>Transport names.</summary>
public static class TransportKinds
{
    /// <summary>MassTransit's in-memory transport, nodes in one process.</summary>
    public const string InMemory = "InMemory";

    /// <summary>MassTransit over RabbitMQ, one broker per administration, linked by forwarders.</summary>
    public const string RabbitMq = "RabbitMq";
}

/// <summary>Replication tuning.</summary>
public sealed class ReplicationOptions
{
    /// <summary>Most log leaves one replication message covers.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How long a sent range may stay unacknowledged before it is sent again (doubles up to 5 minutes).</summary>
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the sender looks for new log leaves when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
