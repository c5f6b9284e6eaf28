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

    [Fact]
    public void Check_AzureTableWithAManagedIdentity_TakesAnHttpsServiceUri()
    {
        var options = Valid();
        options.Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ServiceUri = new Uri("https://nlcustoms.table.core.windows.net/"), TablePrefix = "nl" };
        options.Cluster.Membership = ClusterMemberships.AzureTable;
        Assert.Empty(NodeOptionsValidation.Check(options));

        options.Storage.ServiceUri = new Uri("http://nlcustoms.table.core.windows.net/");
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.StartsWith("Node:Storage:", StringComparison.Ordinal) && p.Contains("https", StringComparison.Ordinal));

        options.Storage.ConnectionString = "UseDevelopmentStorage=true";
        options.Storage.ServiceUri = new Uri("https://nlcustoms.table.core.windows.net/");
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.Contains("not both", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Ring", 11111, 30000, null, "Node:Cluster:Membership")]
    [InlineData("Localhost", -1, 30000, null, "Node:Cluster:SiloPort")]
    [InlineData("Localhost", 11111, 11111, null, "Node:Cluster:GatewayPort")]
    [InlineData("Localhost", 11111, 30000, "not-an-address", "Node:Cluster:AdvertisedAddress")]
    [InlineData("AzureTable", 11111, 30000, null, "Node:Cluster:Membership AzureTable")]
    public void Check_RefusesClusterSettingsTheSiloCouldNotUse(string membership, int siloPort, int gatewayPort, string? address, string expected)
    {
        var options = Valid();
        options.Cluster = new ClusterOptions { Membership = membership, SiloPort = siloPort, GatewayPort = gatewayPort, AdvertisedAddress = address };

        Assert.Contains(NodeOptionsValidation.Check(options), p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    private static NodeOptions Valid()
    {
        using var key = EcdsaP256Signer.Generate();
        return new NodeOptions { AdministrationId = "NL", SigningKeyPem = key.ExportPrivateKeyPem() };
    }
}
