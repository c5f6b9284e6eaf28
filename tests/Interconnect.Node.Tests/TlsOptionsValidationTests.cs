using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Transport;
using Interconnect.Node.Transport.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interconnect.Node.Tests;

/// <summary>Start-time checks of the transport's TLS settings and of Kestrel's HTTPS certificate.</summary>
public sealed class TlsOptionsValidationTests : IDisposable
{
    private readonly TestCertificateAuthority _authority = new("Validation test CA");

    public void Dispose() => _authority.Dispose();

    [Fact]
    public void Plain_amqp_to_another_machine_is_refused_for_the_broker_and_each_partner_link_naming_the_setting()
    {
        var options = RabbitMqNode("amqp://nl:secret@rabbit.customs.example/nl", "amqp://link:secret@broker.jp.example/jp");

        var problems = NodeOptionsValidation.Check(options);

        Assert.Contains(problems, p => p.StartsWith("Node:Transport:BrokerUri amqp://rabbit.customs.example:5672/nl is not encrypted", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Node:Partners:0:Link (JP) amqp://broker.jp.example:5672/jp is not encrypted", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain("secret", p, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Node:Transport:AllowPlaintextLinks=true", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5672/nl", "amqp://guest:guest@localhost/jp")]
    [InlineData("amqp://guest:guest@[::1]:5672/nl", "amqp://guest:guest@127.0.0.5/jp")]
    [InlineData("amqps://nl:secret@rabbit.customs.example/nl", "amqps://link:secret@broker.jp.example/jp")]
    public void Encrypted_or_loopback_links_are_accepted(string broker, string link) =>
        Assert.Empty(NodeOptionsValidation.Check(RabbitMqNode(broker, link)));

    [Fact]
    public void AllowPlaintextLinks_accepts_plain_amqp_to_another_machine()
    {
        var options = RabbitMqNode("amqp://nl:secret@rabbit.customs.example/nl", "amqp://link:secret@broker.jp.example/jp");
        options.Transport.AllowPlaintextLinks = true;

        Assert.Empty(NodeOptionsValidation.Check(options));
    }

    [Fact]
    public void A_CA_bundle_that_is_missing_or_holds_no_certificate_is_refused()
    {
        var options = RabbitMqNode("amqps://nl:secret@rabbit.customs.example/nl", "amqps://link:secret@broker.jp.example/jp");
        options.Transport.CaCertificatesPath = Path.Combine(_authority.Directory, "absent.pem");
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.StartsWith($"Node:Transport:CaCertificatesPath \"{options.Transport.CaCertificatesPath}\" cannot be read", StringComparison.Ordinal));

        var notCertificates = _authority.Issue("some-client", server: false).KeyPath;
        options.Transport.CaCertificatesPath = notCertificates;
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.StartsWith($"Node:Transport:CaCertificatesPath \"{notCertificates}\" holds no certificate", StringComparison.Ordinal));

        options.Transport.CaCertificatesPath = _authority.CertificatePath;
        Assert.Empty(NodeOptionsValidation.Check(options));
    }

    [Fact]
    public void A_client_certificate_needs_its_matching_key()
    {
        var first = _authority.Issue("nl-node", server: false);
        var second = _authority.Issue("other-node", server: false);
        var options = RabbitMqNode("amqps://nl:secret@rabbit.customs.example/nl", "amqps://link:secret@broker.jp.example/jp");

        options.Transport.ClientCertificatePath = first.CertificatePath;
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.StartsWith("Node:Transport:ClientCertificatePath is set without Node:Transport:ClientKeyPath", StringComparison.Ordinal));

        options.Transport.ClientKeyPath = second.KeyPath;
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.Contains("is not a PEM certificate and its matching private key", StringComparison.Ordinal));

        options.Transport.ClientCertificatePath = null;
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.StartsWith("Node:Transport:ClientKeyPath is set without", StringComparison.Ordinal));

        options.Transport.ClientCertificatePath = first.CertificatePath;
        options.Transport.ClientKeyPath = first.KeyPath;
        Assert.Empty(NodeOptionsValidation.Check(options));
        using var trust = new BrokerTrust(options, TimeProvider.System, NullLogger<BrokerTrust>.Instance);
        Assert.True(trust.HasClientCertificate);
    }

    [Fact]
    public void Build_refuses_an_unreadable_CA_bundle_before_starting()
    {
        var options = RabbitMqNode("amqps://guest:guest@localhost:5671/nl", "amqps://guest:guest@localhost:5671/jp");
        options.Transport.CaCertificatesPath = Path.Combine(_authority.Directory, "absent.pem");

        var refused = Assert.Throws<NodeConfigurationException>(() => NodeApplication.Build(options));

        Assert.Contains(refused.Problems, p => p.StartsWith("Node:Transport:CaCertificatesPath", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckHttps_accepts_a_certificate_with_its_key_and_refuses_a_missing_file_or_a_foreign_key()
    {
        var https = _authority.Issue("localhost", server: true);
        var other = _authority.Issue("other", server: false);

        Assert.Empty(NodeOptionsValidation.CheckHttps(Configuration(("urls", "https://+:8443"), ("Kestrel:Certificates:Default:Path", https.CertificatePath), ("Kestrel:Certificates:Default:KeyPath", https.KeyPath)), "/"));
        Assert.Empty(NodeOptionsValidation.CheckHttps(Configuration(("urls", "http://+:8080")), "/"));
        Assert.Contains(
            NodeOptionsValidation.CheckHttps(Configuration(("Kestrel:Certificates:Default:Path", "tls/absent.pem"), ("Kestrel:Certificates:Default:KeyPath", https.KeyPath)), _authority.Directory),
            p => p.StartsWith("Kestrel:Certificates:Default:Path \"tls/absent.pem\" does not exist", StringComparison.Ordinal));
        Assert.Contains(
            NodeOptionsValidation.CheckHttps(Configuration(("Kestrel:Certificates:Default:Path", https.CertificatePath), ("Kestrel:Certificates:Default:KeyPath", other.KeyPath)), "/"),
            p => p.Contains("is not a PEM certificate and its matching private key", StringComparison.Ordinal));
        Assert.Contains(NodeOptionsValidation.CheckHttps(Configuration(("https_ports", "8443")), "/"), p => p.StartsWith("HTTPS is asked for", StringComparison.Ordinal));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static NodeOptions RabbitMqNode(string brokerUri, string partnerLink)
    {
        using var key = EcdsaP256Signer.Generate();
        using var partnerKey = EcdsaP256Signer.Generate();
        var options = new NodeOptions
        {
            AdministrationId = "NL",
            SigningKeyPem = key.ExportPrivateKeyPem(),
            Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = brokerUri },
        };
        var partner = new PartnerOptions { Id = "JP", Link = partnerLink };
        partner.PublicKeys.Add(partnerKey.PublicKey.ToPem());
        options.Partners.Add(partner);
        return options;
    }
}
