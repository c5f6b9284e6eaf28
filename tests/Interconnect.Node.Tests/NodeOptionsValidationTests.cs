using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;

namespace Interconnect.Node.Tests;

public sealed class NodeOptionsValidationTests
{
    [Fact]
    public void Check_ListsEveryProblem_InTheDeployersTerms()
    {
        var options = new NodeOptions { AdministrationId = "" };
        options.Partners.Add(new PartnerOptions { Id = "JP" });
        options.Storage.Provider = StorageProviders.AzureTable;
        options.Transport.Kind = TransportKinds.RabbitMq;

        var problems = NodeOptionsValidation.Check(options);

        Assert.Contains(problems, p => p.StartsWith("Node:AdministrationId", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("No signing key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("(JP) has no PublicKeys", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Node:Partners:0:Link (JP)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Node:Storage:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Node:Transport:BrokerUri", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_RefusesABadKeyAndAPartnerConfiguredTwice_BeforeStarting()
    {
        using var key = EcdsaP256Signer.Generate();
        var options = new NodeOptions { AdministrationId = "NL", SigningKeyPem = key.ExportPrivateKeyPem() };
        foreach (var _ in new[] { 1, 2 })
        {
            var partner = new PartnerOptions { Id = "JP" };
            partner.PublicKeys.Add("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----");
            options.Partners.Add(partner);
        }

        var refused = Assert.Throws<NodeConfigurationException>(() => NodeApplication.Build(options));

        Assert.Contains(refused.Problems, p => p.Contains("JP is configured twice", StringComparison.Ordinal));
        Assert.Contains(refused.Problems, p => p.Contains("is not an EC P-256 public key in PEM", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_AcceptsTheEmbeddedDefaults()
    {
        using var key = EcdsaP256Signer.Generate();
        using var partnerKey = EcdsaP256Signer.Generate();
        var options = new NodeOptions { AdministrationId = "NL", SigningKeyPem = key.ExportPrivateKeyPem() };
        var partner = new PartnerOptions { Id = "JP" };
        partner.PublicKeys.Add(partnerKey.PublicKey.ToPem());
        options.Partners.Add(partner);

        Assert.Empty(NodeOptionsValidation.Check(options));
    }
}
