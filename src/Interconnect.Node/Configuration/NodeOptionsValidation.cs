using System.Security.Cryptography;
using X509Certificate2 = System.Security.Cryptography.X509Certificates.X509Certificate2;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Transport;
using Interconnect.Storage.AzureTable;

namespace Interconnect.Node.Configuration;

/// <summary>The node's configuration is unusable; the message lists every problem in a deployer's words.</summary>
public sealed class NodeConfigurationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public NodeConfigurationException(IReadOnlyList<string> problems)
        : base("The node configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception.</summary>
    public NodeConfigurationException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with a cause.</summary>
    public NodeConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with a default message.</summary>
    public NodeConfigurationException()
        : this("The node configuration is invalid.")
    {
    }

    /// <summary>Each problem, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}

/// <summary>Checks <see cref="NodeOptions"/> on start and loads the keys it names.</summary>
public static class NodeOptionsValidation
{
    /// <summary>Every problem with <paramref name="options"/>; empty when it is usable.</summary>
    public static IReadOnlyList<string> Check(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (Identifier.Explain(options.AdministrationId) is { } why)
        {
            problems.Add($"Node:AdministrationId \"{options.AdministrationId}\" {why}; set it to this administration's id, e.g. \"NL\".");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKeyPem) && string.IsNullOrWhiteSpace(options.SigningKeyFile))
        {
            problems.Add("No signing key: set Node:SigningKeyPem (environment Node__SigningKeyPem) or Node:SigningKeyFile to the administration's EC P-256 private key in PEM.");
        }
        else if (string.IsNullOrWhiteSpace(options.SigningKeyPem) && !File.Exists(options.SigningKeyFile))
        {
            problems.Add($"Node:SigningKeyFile \"{options.SigningKeyFile}\" does not exist.");
        }

        for (var i = 0; i < options.AdditionalSigningKeyFiles.Count; i++)
        {
            var file = options.AdditionalSigningKeyFiles[i];
            if (string.IsNullOrWhiteSpace(file) || !File.Exists(file))
            {
                problems.Add($"Node:AdditionalSigningKeyFiles:{i} \"{file}\" does not exist.");
                continue;
            }

            try
            {
                using var key = EcdsaP256Signer.FromPem(File.ReadAllText(file));
            }
            catch (FormatException e)
            {
                problems.Add($"Node:AdditionalSigningKeyFiles:{i} \"{file}\" is not an EC P-256 private key in PEM: {e.Message}");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Partners.Count; i++)
        {
            var partner = options.Partners[i];
            var at = $"Node:Partners:{i}";
            if (Identifier.Explain(partner.Id) is { } idProblem)
            {
                problems.Add($"{at}:Id \"{partner.Id}\" {idProblem}.");
            }
            else if (partner.Id == options.AdministrationId)
            {
                problems.Add($"{at}:Id is this administration ({partner.Id}); a node is not its own partner.");
            }
            else if (!seen.Add(partner.Id))
            {
                problems.Add($"{at}:Id {partner.Id} is configured twice.");
            }

            if (partner.PublicKeys.Count == 0)
            {
                problems.Add($"{at} ({partner.Id}) has no PublicKeys: nothing it signs could be verified.");
            }

            for (var k = 0; k < partner.PublicKeys.Count; k++)
            {
                try
                {
                    PublicKey.FromPem(partner.PublicKeys[k]);
                }
                catch (FormatException e)
                {
                    problems.Add($"{at}:PublicKeys:{k} ({partner.Id}) is not an EC P-256 public key in PEM: {e.Message}");
                }
            }

            if (options.Transport.Kind == TransportKinds.RabbitMq && !IsAmqpUri(partner.Link))
            {
                problems.Add($"{at}:Link ({partner.Id}) must be the partner's AMQP URI with its virtual host (amqp:// or amqps://) for the RabbitMq transport.");
            }
        }

        switch (options.Storage.Provider)
        {
            case StorageProviders.InMemory:
                break;
            case StorageProviders.AzureTable:
                if (string.IsNullOrWhiteSpace(options.Storage.ConnectionString) && options.Storage.ServiceUri is null)
                {
                    problems.Add("Node:Storage:ConnectionString is required for the AzureTable provider (\"UseDevelopmentStorage=true\" for Azurite), or Node:Storage:ServiceUri to connect with the node's managed identity.");
                }

                try
                {
                    StorageOf(options).Validate();
                }
                catch (ArgumentException e)
                {
                    problems.Add($"Node:Storage: {e.Message}");
                }

                break;
            default:
                problems.Add($"Node:Storage:Provider \"{options.Storage.Provider}\" is unknown; use {StorageProviders.InMemory} or {StorageProviders.AzureTable}.");
                break;
        }

        CheckCluster(options, problems);

        switch (options.Transport.Kind)
        {
            case TransportKinds.InMemory:
                break;
            case TransportKinds.RabbitMq:
                if (!IsAmqpUri(options.Transport.BrokerUri))
                {
                    problems.Add("Node:Transport:BrokerUri must be this administration's AMQP URI with its virtual host (amqp:// or amqps://) for the RabbitMq transport.");
                }

                break;
            default:
                problems.Add($"Node:Transport:Kind \"{options.Transport.Kind}\" is unknown; use {TransportKinds.InMemory} or {TransportKinds.RabbitMq}.");
                break;
        }

        if (options.Replication.BatchSize is < 1 or > 1000)
        {
            problems.Add($"Node:Replication:BatchSize {options.Replication.BatchSize} is out of range (1 to 1000).");
        }

        problems.AddRange(CheckTransportSecurity(options));
        problems.AddRange(AccessOptions.Check(options));
        return problems;
    }

    /// <summary>
    /// The transport's TLS settings (docs/transport-security.md): the CA bundle and client certificate
    /// must be readable, and an amqp:// URI (no TLS) is refused for a broker that is not on this
    /// machine unless <see cref="TransportOptions.AllowPlaintextLinks"/> is set.
    /// </summary>
    public static IReadOnlyList<string> CheckTransportSecurity(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var transport = options.Transport;
        if (!string.IsNullOrWhiteSpace(transport.CaCertificatesPath))
        {
            try
            {
                foreach (var authority in BrokerTrust.ReadAuthorities(transport.CaCertificatesPath))
                {
                    authority.Dispose();
                }
            }
            catch (FormatException e)
            {
                problems.Add(e.Message);
            }
        }

        if (!string.IsNullOrWhiteSpace(transport.ClientCertificatePath))
        {
            try
            {
                BrokerTrust.ReadClientCertificate(transport.ClientCertificatePath, transport.ClientKeyPath).Dispose();
            }
            catch (FormatException e)
            {
                problems.Add(e.Message);
            }
        }
        else if (!string.IsNullOrWhiteSpace(transport.ClientKeyPath))
        {
            problems.Add("Node:Transport:ClientKeyPath is set without Node:Transport:ClientCertificatePath; both PEM files are needed for a client certificate.");
        }

        if (transport.Kind != TransportKinds.RabbitMq || transport.AllowPlaintextLinks)
        {
            return problems;
        }

        foreach (var (setting, uri) in BrokerTrust.LinkUris(options))
        {
            RabbitMqBrokerAddress broker;
            try
            {
                broker = RabbitMqBrokerAddress.Parse(uri);
            }
            catch (FormatException)
            {
                continue; // reported by Check
            }

            if (!broker.UseTls && !broker.IsLoopback)
            {
                problems.Add(
                    $"{setting} {broker} is not encrypted and {broker.Host} is not this machine: use amqps:// (the broker's TLS port, usually 5671), "
                    + "or set Node:Transport:AllowPlaintextLinks=true to send ledger entries and the broker password in clear text over a network you control.");
            }
        }

        return problems;
    }

    /// <summary>
    /// Kestrel's HTTPS settings as the run command reads them: a certificate named by
    /// Kestrel:Certificates:Default must be readable, and an https URL needs one (Kestrel would
    /// otherwise look for a development certificate).
    /// </summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="contentRoot">The directory Kestrel resolves relative certificate paths against.</param>
    public static IReadOnlyList<string> CheckHttps(IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var path = configuration["Kestrel:Certificates:Default:Path"];
        var keyPath = configuration["Kestrel:Certificates:Default:KeyPath"];
        if (!string.IsNullOrWhiteSpace(path))
        {
            if (!File.Exists(Path.Combine(contentRoot, path)))
            {
                problems.Add($"Kestrel:Certificates:Default:Path \"{path}\" does not exist (the HTTPS certificate, PEM).");
            }
            else if (!string.IsNullOrWhiteSpace(keyPath))
            {
                try
                {
                    X509Certificate2.CreateFromPemFile(Path.Combine(contentRoot, path), Path.Combine(contentRoot, keyPath)).Dispose();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
                {
                    problems.Add($"Kestrel:Certificates:Default:Path \"{path}\" with KeyPath \"{keyPath}\" is not a PEM certificate and its matching private key: {e.Message}");
                }
            }
        }
        else if (!string.IsNullOrWhiteSpace(keyPath))
        {
            problems.Add("Kestrel:Certificates:Default:KeyPath is set without Kestrel:Certificates:Default:Path (the HTTPS certificate, PEM).");
        }

        var wantsHttps = (configuration["urls"] ?? string.Empty).Contains("https://", StringComparison.OrdinalIgnoreCase)
            || !string.IsNullOrWhiteSpace(configuration["https_ports"]);
        if (wantsHttps && string.IsNullOrWhiteSpace(path) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            problems.Add(
                "HTTPS is asked for (ASPNETCORE_URLS or ASPNETCORE_HTTPS_PORTS) but no certificate is configured: set Kestrel:Certificates:Default:Path "
                + "and Kestrel:Certificates:Default:KeyPath (environment Kestrel__Certificates__Default__Path / __KeyPath) to the PEM certificate chain and key.");
        }

        return problems;
    }

    /// <summary>Throws <see cref="NodeConfigurationException"/> listing every problem, if any.</summary>
    public static void Validate(NodeOptions options)
    {
        var problems = Check(options);
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }
    }

    /// <summary>Loads the configured signing key.</summary>
    public static EcdsaP256Signer LoadSigner(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pem = string.IsNullOrWhiteSpace(options.SigningKeyPem) ? File.ReadAllText(options.SigningKeyFile!) : options.SigningKeyPem;
        try
        {
            return EcdsaP256Signer.FromPem(pem);
        }
        catch (FormatException e)
        {
            throw new NodeConfigurationException("The signing key is not an EC P-256 private key in PEM: " + e.Message, e);
        }
    }

    /// <summary>Loads the further held keys (<see cref="NodeOptions.AdditionalSigningKeyFiles"/>).</summary>
    public static IReadOnlyList<EcdsaP256Signer> LoadAdditionalSigners(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new List<EcdsaP256Signer>();
        try
        {
            foreach (var file in options.AdditionalSigningKeyFiles)
            {
                keys.Add(EcdsaP256Signer.FromPem(File.ReadAllText(file)));
            }
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }

            throw new NodeConfigurationException("A key of Node:AdditionalSigningKeyFiles cannot be loaded: " + e.Message, e);
        }

        return keys;
    }

    private static bool IsAmqpUri(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == "amqp" || uri.Scheme == "amqps");
    private static void CheckCluster(NodeOptions options, List<string> problems)
    {
        var cluster = options.Cluster;
        switch (cluster.Membership)
        {
            case ClusterMemberships.Localhost:
                break;
            case ClusterMemberships.AzureTable:
                if (options.Storage.Provider != StorageProviders.AzureTable || (string.IsNullOrWhiteSpace(options.Storage.ConnectionString) && options.Storage.ServiceUri is null))
                {
                    problems.Add("Node:Cluster:Membership AzureTable keeps the membership table in the node's storage account: it needs Node:Storage:Provider AzureTable with a ConnectionString or ServiceUri.");
                }

                break;
            default:
                problems.Add($"Node:Cluster:Membership \"{cluster.Membership}\" is unknown; use {ClusterMemberships.Localhost} or {ClusterMemberships.AzureTable}.");
                break;
        }

        if (cluster.ClusterId is { Length: > 0 } id && !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            problems.Add($"Node:Cluster:ClusterId \"{id}\" may hold only letters, digits, '-' and '_'.");
        }

        if (string.IsNullOrWhiteSpace(cluster.ServiceId) || !cluster.ServiceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            problems.Add($"Node:Cluster:ServiceId \"{cluster.ServiceId}\" must be letters, digits, '-' and '_' (it keys stored grain state: keep it stable).");
        }

        if (cluster.SiloPort is < 0 or > 65535)
        {
            problems.Add($"Node:Cluster:SiloPort {cluster.SiloPort} is not a port (1 to 65535, or 0 for a free one).");
        }

        if (cluster.GatewayPort is < 0 or > 65535 || (cluster.GatewayPort != 0 && cluster.GatewayPort == cluster.SiloPort))
        {
            problems.Add($"Node:Cluster:GatewayPort {cluster.GatewayPort} must be 0 (no gateway) or a port other than the silo port.");
        }

        if (cluster.AdvertisedAddress is { Length: > 0 } address && !System.Net.IPAddress.TryParse(address, out _))
        {
            problems.Add($"Node:Cluster:AdvertisedAddress \"{address}\" is not an IP address.");
        }
    }

    /// <summary>The Azure Table store's settings from the node's storage options.</summary>
    public static AzureTableStorageOptions StorageOf(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AzureTableStorageOptions
        {
            ConnectionString = string.IsNullOrWhiteSpace(options.Storage.ConnectionString) ? null : options.Storage.ConnectionString,
            ServiceUri = options.Storage.ServiceUri,
            TablePrefix = options.Storage.TablePrefix!,
        };
    }
}
