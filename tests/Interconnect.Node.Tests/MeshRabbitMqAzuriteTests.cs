using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Chains;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage;
using RabbitMQ.Client;

namespace Interconnect.Node.Tests;

/// <summary>
/// Three administrations on the real RabbitMQ (a virtual host each, linked by forwarders) and the real
/// Azurite (a table prefix each) that the test command starts.
/// </summary>
public sealed class MeshRabbitMqAzuriteTests : IAsyncLifetime
{
    private static readonly string[] Administrations = ["NL", "JP", "BE"];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, TestVirtualHost> _vhosts = new(StringComparer.Ordinal);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private DemoMesh _mesh = null!;

    public async Task InitializeAsync()
    {
        var azurite = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE");
        Assert.False(string.IsNullOrEmpty(azurite), "INTERCONNECT_TEST_AZURITE is not set: run the tests with scripts/test.sh, which starts Azurite.");
        foreach (var administration in Administrations)
        {
            _vhosts[administration] = await TestBroker.CreateVirtualHostAsync(administration);
        }

        _mesh = await DemoMesh.StartAsync(Administrations, FreePorts.Consecutive(3), Microsoft.Extensions.Logging.LogLevel.Warning, options =>
        {
            options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = _vhosts[options.AdministrationId].Uri };
            options.Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ConnectionString = azurite, TablePrefix = $"it{_run}{options.AdministrationId.ToLowerInvariant()}" };
            foreach (var partner in options.Partners)
            {
                partner.Link = _vhosts[partner.Id].Uri;
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _mesh.DisposeAsync();
        foreach (var vhost in _vhosts.Values)
        {
            await vhost.DisposeAsync();
        }
    }

    [Fact]
    public async Task Scenario_RunsAcrossBrokersAndStorage_AndAPartnerStoppedMeanwhileCatchesUp()
    {
        using var output = new StringWriter();
        await new DemoScenario(_mesh, output).RunAsync();
        Assert.Contains("JP sees status suspended after", output.ToString(), StringComparison.Ordinal);

        // JP stops; NL goes on certifying. Nothing is lost: the entries wait and flow when JP returns.
        await _mesh.StopNodeAsync("JP");
        var nl = _mesh.Service<AdministrationNode>("NL");
        var numbers = Enumerable.Range(1, 12).Select(i => $"NLAEOS{i:D7}").ToList();
        foreach (var number in numbers)
        {
            await nl.Grains.GetGrain<IAeoOperatorGrain>(number).Certify(new CertifyAeoOperator("Operator " + number, "Kade 1, Rotterdam", "AEOS", new DateOnly(2026, 3, 1), null));
        }

        await nl.Grains.GetGrain<IAeoOperatorGrain>(numbers[0]).Suspend(new SuspendAeoCertification("Audit while the partner was offline"));
        var link = (await _mesh.Service<IMeshQueries>("NL").GetLinksAsync()).Single(l => l.Partner == "JP");
        Assert.True(link.Backlog > 0, "entries certified while JP is down wait in NL's backlog");

        await _mesh.StartNodeAsync("JP");
        var jp = _mesh.Service<AdministrationNode>("JP");
        await DemoMesh.WaitForAsync(
            async () => (await _mesh.Service<IMeshQueries>("JP").GetSharedAsync("NL", AeoOperatorGrain.EntityKind, numbers[0]))?.Fields.GetValueOrDefault("status") == "suspended"
                && (await Task.WhenAll(numbers.Select(n => jp.Store.Entities.GetHeadAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, n))))).All(h => h is not null),
            Deadline,
            "JP to catch up");

        // Every entry arrived once, in order, verifiable; NL holds JP's endorsement of each.
        foreach (var number in numbers)
        {
            var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, number);
            var original = await nl.Store.Entities.ReadAsync(entity, 1, 100);
            var copy = await jp.Store.Entities.ReadAsync(entity, 1, 100);
            Assert.Equal(original.Select(e => e.Entry.Hash), copy.Select(e => e.Entry.Hash));
            Assert.True(ChainVerifier.Verify(copy.Select(e => e.Entry), jp.PartnerKeys).IsValid);
        }

        await DemoMesh.WaitForAsync(
            async () => (await Task.WhenAll(numbers.Select(n => _mesh.Service<IMeshQueries>("NL").GetEndorsementsAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, n)))))
                .All(list => list.All(e => e.Recognized)),
            Deadline,
            "JP's endorsements at NL");
        await DemoMesh.WaitForAsync(
            async () => (await _mesh.Service<IMeshQueries>("NL").GetLinksAsync()).Single(l => l.Partner == "JP").Backlog == 0,
            Deadline,
            "NL's backlog to JP to drain");
    }

    [Fact]
    public async Task MalformedMessages_GoToTheErrorQueue_AndTheConsumerGoesOn()
    {
        await new DemoScenario(_mesh, TextWriter.Null).EstablishAgreementAsync();

        // Unreadable bytes, and a readable message addressed to another administration.
        await using (var connection = await _vhosts["JP"].ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
            await channel.BasicPublishAsync(QueueNames.Inbound("JP"), string.Empty, mandatory: true, properties, "{ not json"u8.ToArray());
        }

        await _mesh.Service<IPartnerChannel>("NL").SendAsync("JP", new Contracts.RequestLogRange("NL", "BE", 0));

        await DemoMesh.WaitForAsync(async () => await ErrorQueueDepthAsync("JP") >= 2, Deadline, "both messages in JP's error queue");

        // The consumer still works: a new certification reaches JP.
        var nl = _mesh.Service<AdministrationNode>("NL");
        await nl.Grains.GetGrain<IAeoOperatorGrain>("NLAEOF7777777").Certify(new CertifyAeoOperator("After the noise", "Kade 2", "AEOF", new DateOnly(2026, 5, 1), null));
        await DemoMesh.WaitForAsync(
            async () => await _mesh.Service<IMeshQueries>("JP").GetSharedAsync("NL", AeoOperatorGrain.EntityKind, "NLAEOF7777777") is not null,
            Deadline,
            "the certification at JP");
    }

    private async Task<uint> ErrorQueueDepthAsync(string administration)
    {
        await using var connection = await _vhosts[administration].ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(QueueNames.Inbound(administration) + "_error")).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }
}
