using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Interconnect.Cluster.Tests;

/// <summary>
/// NL and JP, each a cluster of several silos on its own RabbitMQ virtual host and its own Azurite
/// tables, with an MRA in force under which JP receives NL's AEO operators.
/// </summary>
public sealed class ClusterMesh : IAsyncDisposable
{
    public const string Agreement = "MRA-NL-JP-CLUSTER";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly List<TestVirtualHost> _virtualHosts;

    private ClusterMesh(AdministrationCluster nl, AdministrationCluster jp, List<TestVirtualHost> virtualHosts)
    {
        Nl = nl;
        Jp = jp;
        _virtualHosts = virtualHosts;
    }

    public AdministrationCluster Nl { get; }

    public AdministrationCluster Jp { get; }

    public static async Task<ClusterMesh> StartAsync(short silos, Action<NodeOptions>? configure = null)
    {
        var azurite = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE");
        Assert.False(string.IsNullOrEmpty(azurite), "INTERCONNECT_TEST_AZURITE is not set: run the tests with scripts/test.sh, which starts Azurite.");
        var run = Guid.NewGuid().ToString("N")[..8];
        string[] administrations = ["NL", "JP"];
        var virtualHosts = new List<TestVirtualHost>();
        var keys = administrations.ToDictionary(a => a, _ => EcdsaP256Signer.Generate());
        var options = new Dictionary<string, NodeOptions>();
        foreach (var administration in administrations)
        {
            var vhost = await TestBroker.CreateVirtualHostAsync(administration);
            virtualHosts.Add(vhost);
            options[administration] = new NodeOptions
            {
                AdministrationId = administration,
                SigningKeyPem = keys[administration].ExportPrivateKeyPem(),
                Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ConnectionString = azurite, TablePrefix = $"cl{run}{administration.ToLowerInvariant()}" },
                Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = vhost.Uri },
                Replication = new ReplicationOptions { PollInterval = TimeSpan.FromMilliseconds(200), ResendAfter = TimeSpan.FromSeconds(5) },
            };
        }

        foreach (var administration in administrations)
        {
            foreach (var partner in administrations.Where(a => a != administration))
            {
                var partnerOptions = new PartnerOptions { Id = partner, Link = options[partner].Transport.BrokerUri };
                partnerOptions.PublicKeys.Add(keys[partner].PublicKey.ToPem());
                options[administration].Partners.Add(partnerOptions);
            }
        }

        foreach (var key in keys.Values)
        {
            key.Dispose();
        }

        foreach (var administration in administrations)
        {
            configure?.Invoke(options[administration]);
        }

        AdministrationCluster? nl = null;
        try
        {
            nl = await AdministrationCluster.StartAsync(options["NL"], silos);
            var jp = await AdministrationCluster.StartAsync(options["JP"], silos);
            var mesh = new ClusterMesh(nl, jp, virtualHosts);
            await mesh.EstablishAgreementAsync();
            return mesh;
        }
        catch
        {
            if (nl is not null)
            {
                await nl.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Waits for <paramref name="condition"/>, polling, until <see cref="Deadline"/>.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out after {Deadline.TotalSeconds} s waiting for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>The entries of one entity as <paramref name="holder"/> stores them.</summary>
    public static async Task<IReadOnlyList<Ledger.Disclosure.DisclosedEntry>> ChainAsync(AdministrationCluster holder, EntityKey entity)
    {
        var entries = new List<Ledger.Disclosure.DisclosedEntry>();
        while (true)
        {
            var page = await holder.AnyNode.Store.Entities.ReadAsync(entity, (ulong)entries.Count + 1, 500);
            entries.AddRange(page);
            if (page.Count < 500)
            {
                return entries;
            }
        }
    }

    /// <summary>Where replication of <paramref name="entity"/> stands, for a failure's message.</summary>
    public async Task<string> DescribeAsync(EntityKey entity)
    {
        var held = (await ChainAsync(Jp, entity)).Count;
        var links = await Nl.Service<IMeshQueries>().GetLinksAsync();
        var jp = Jp.Silos.Select(s => s.SiloHost.Services.GetRequiredService<IMeshQueries>()).ToList();
        var rejections = string.Join(", ", jp.SelectMany(q => q.RejectionsByReason).Select(r => $"{r.Key}={r.Value}"));
        var alarms = string.Join("; ", jp.SelectMany(q => q.Alarms).Select(a => a.ToString()).Distinct().Take(5));
        return $"JP holds {held}; NL's links: {string.Join(", ", links.Select(l => $"{l.Partner} acknowledged {l.AcknowledgedThrough} backlog {l.Backlog}"))}; JP rejected: [{rejections}]; JP alarms: [{alarms}]";
    }

    public async ValueTask DisposeAsync()
    {
        await Jp.DisposeAsync();
        await Nl.DisposeAsync();
        foreach (var vhost in _virtualHosts)
        {
            await vhost.DisposeAsync();
        }
    }

    private async Task EstablishAgreementAsync()
    {
        string[] aeoFields = ["aeoNumber", "name", "address", "programme", "status", "certifiedOn", "validUntil", "reason", "effectiveAt"];
        using (Actor.Enter(new Actor("nl-supervisor", "supervisor")))
        {
            await Nl.AnyNode.Grains.GetGrain<IMraAgreementGrain>(Agreement).Propose(new ProposeMraAgreement(
                "Netherlands-Japan AEO mutual recognition", ["NL", "JP"], ["AEOF"], ["phytosanitary-certificate"],
                [new DataSharingPolicy("NL", [new SharedEntityKind(AeoOperatorGrain.EntityKind, aeoFields)]), new DataSharingPolicy("JP", [new SharedEntityKind(AeoOperatorGrain.EntityKind, aeoFields)])],
                EndorsementQuorum: 1));
        }

        var proposal = new EntityKey("NL", MraAgreementGrain.EntityKind, Agreement);
        await WaitForAsync(async () => (await ChainAsync(Jp, proposal)).Count > 0, "the proposal at JP");
        using (Actor.Enter(new Actor("jp-supervisor", "supervisor")))
        {
            await Jp.Service<IMeshCommands>().AcceptMraAsync(Agreement);
        }

        await WaitForAsync(
            async () => (await Nl.AnyNode.Grains.GetGrain<IMraAgreementGrain>(Agreement).GetState()).Status == MraStatus.InForce
                && (await ChainAsync(Jp, proposal)).Any(e => e.Entry.Body.EntryType == "mra.in-force" || e["status"] == "in-force"),
            "the MRA in force at NL and at JP");
    }
}
