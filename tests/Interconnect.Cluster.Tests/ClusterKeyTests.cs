using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Replication;
using Interconnect.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Interconnect.Cluster.Tests;

/// <summary>A key rotation served by one silo holds on every silo of the cluster, and at the partner.</summary>
public sealed class ClusterKeyTests
{
    [Fact]
    public async Task RotationOnOneSilo_EverySiloSignsWithTheNewKey_AndEveryChainVerifies()
    {
        using var next = EcdsaP256Signer.Generate();
        var file = Path.Combine(Path.GetTempPath(), $"interconnect-next-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(file, next.ExportPrivateKeyPem());
        try
        {
            await using var mesh = await ClusterMesh.StartAsync(3, options =>
            {
                if (options.AdministrationId == "NL")
                {
                    options.AdditionalSigningKeyFiles.Add(file);
                }
            });
            var silos = mesh.Nl.Silos;
            var first = AdministrationCluster.NodeOf(silos[0]).Signer.Current!.KeyId;

            // As the key API does: rotate on one silo, then every silo reloads before the answer.
            var serving = AdministrationCluster.NodeOf(silos[0]);
            await serving.OwnKeys.RotateAsync(next.KeyId);
            await silos[0].SiloHost.Services.GetRequiredService<ClusterChanges>().KeySetsChangedAsync();

            Assert.All(silos, s => Assert.Equal(next.KeyId, AdministrationCluster.NodeOf(s).Signer.Current!.KeyId));
            using var acting = Actor.Enter(new Actor("nl-officer", "officer"));
            for (var i = 0; i < silos.Count; i++)
            {
                await AdministrationCluster.NodeOf(silos[i]).Grains.GetGrain<IAeoOperatorGrain>($"NLAEOK{i:D7}")
                    .Certify(new CertifyAeoOperator("Rotated B.V.", "Kade 1", "AEOF", new DateOnly(2026, 1, 1), null));
            }

            for (var i = 0; i < silos.Count; i++)
            {
                var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, $"NLAEOK{i:D7}");
                var chain = await ClusterMesh.ChainAsync(mesh.Nl, entity);
                Assert.Equal(next.KeyId, Assert.Single(chain).Entry.Body.KeyId);
                Assert.True(ChainVerifier.Verify(chain.Select(e => e.Entry), serving.Keys).IsValid);

                // JP verifies it with NL's key set as it received it, and holds it.
                await ClusterMesh.WaitForAsync(async () => (await ClusterMesh.ChainAsync(mesh.Jp, entity)).Count == 1, $"JP to hold {entity} ({await mesh.DescribeAsync(entity)})");
            }

            Assert.NotEqual(first, next.KeyId);
            Assert.All(mesh.Jp.Silos, s => Assert.Contains(next.KeyId, AdministrationCluster.NodeOf(s).Keys.Partner("NL")!.Keys.Select(k => k.KeyId)));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
