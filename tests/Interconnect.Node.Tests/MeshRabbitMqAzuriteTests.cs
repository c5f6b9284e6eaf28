using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Chains;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage;
using Interconnect.Storage.AzureTable;
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
    private BrokeredMesh _brokered = null!;
    private DemoMesh _mesh = null!;
    private IReadOnlyDictionary<string, TestVirtualHost> _vhosts = null!;

    public async Task InitializeAsync()
    {
        _brokered = await BrokeredMesh.StartAsync(Administrations, "it");
        (_mesh, _vhosts) = (_brokered.Mesh, _brokered.VirtualHosts);
    }

    public async Task DisposeAsync() => await _brokered.DisposeAsync();

    [Fact]
    public async Task Scenario_DrivenOverHttp_RunsAcrossBrokersAndStorage_AndAPartnerStoppedMeanwhileCatchesUp()
    {
        using var nl = Client("NL");
        using var jp = Client("JP");
        using var be = Client("BE");
        const string Mra = DemoScenario.AgreementId;
        const string Aeo = DemoScenario.AeoNumber;
        const string Ucr = DemoScenario.Ucr;

        // 1-2. NL proposes the MRA; JP accepts what reached it; both hold it in force.
        await nl.PostAsync("/api/mras", Proposal(Mra), HttpStatusCode.Created);
        await WaitForAsync(async () => await jp.SharedAsync("NL", "mra-agreement", Mra) is not null, "the proposal at JP");
        var accepted = await jp.PostAsync($"/api/mras/{Mra}/accept");
        Assert.Equal("acceptor", (string?)accepted!["role"]);
        await WaitForAsync(
            async () => (string?)(await nl.GetAsync($"/api/mras/{Mra}"))["status"] == "in-force"
                && (string?)(await jp.SharedAsync("NL", "mra-agreement", Mra))?["fields"]?["status"] == "in-force",
            "the MRA in force on both sides");

        // 3. NL certifies an AEO: JP sees the policy's fields only, BE (no MRA) nothing; JP's endorsement returns.
        await nl.PostAsync("/api/aeo-operators", Certification(Aeo), HttpStatusCode.Created);
        await WaitForAsync(async () => await jp.SharedAsync("NL", "aeo-operator", Aeo) is not null, "the AEO at JP");
        var atJp = (await jp.SharedAsync("NL", "aeo-operator", Aeo))!;
        Assert.Equal("certified", (string?)atJp["fields"]!["status"]);
        Assert.Null(atJp["fields"]!["address"]);
        Assert.Contains("address", atJp["withheldFields"]!.AsArray().Select(f => (string?)f));
        Assert.Null(await be.SharedAsync("NL", "aeo-operator", Aeo));
        await WaitForAsync(async () => await AllRecognizedAsync(nl, "aeo-operator", Aeo), "JP's endorsement at NL");

        // 4. The suspension reaches JP.
        await nl.PostAsync($"/api/aeo-operators/{Aeo}/suspend", new { reason = "Security audit findings" });
        await WaitForAsync(async () => (string?)(await jp.SharedAsync("NL", "aeo-operator", Aeo))?["fields"]?["status"] == "suspended", "the suspension at JP");

        // 5. A shipment with a phytosanitary certificate: sent, delivered to JP, accepted by JP.
        await nl.PostAsync("/api/shipments", new { ucr = Ucr, exportingAdministration = "NL", importingAdministration = "JP", consignor = "Tulip Logistics B.V.", consignee = "Sakura Flowers K.K." }, HttpStatusCode.Created);
        await nl.PostAsync($"/api/shipments/{Ucr}/documents", new { documentType = "phytosanitary-certificate", number = "NL-PC-2026-000417", issuedOn = "2026-11-18", contentDigest = Digest("certificate v1") });
        await nl.PostAsync($"/api/shipments/{Ucr}/send");
        await WaitForAsync(async () => (string?)(await DeliveryToJapanAsync(nl, Ucr))?["state"] == "delivered", "delivery of the shipment at JP");
        await jp.PostAsync($"/api/partners/NL/shipments/{Ucr}/response", new { accepted = true }, HttpStatusCode.Accepted);
        await WaitForAsync(async () => (string?)(await DeliveryToJapanAsync(nl, Ucr))?["decision"] == "accepted", "JP's business response at NL");

        // 6. The certificate is replaced; JP sees the replacement, and anyone can verify the new one at NL.
        await nl.PostAsync($"/api/shipments/{Ucr}/documents/NL-PC-2026-000417/replace", new { number = "NL-PC-2026-000421", issuedOn = "2026-11-19", contentDigest = Digest("certificate v2"), reason = "Corrected quantity" });
        await WaitForAsync(async () => (string?)(await jp.SharedAsync("NL", "shipment", Ucr))?["fields"]?["replaces"] == "NL-PC-2026-000417", "the replacement at JP");
        var certificate = await nl.GetAsync($"/api/verify/certificate/NL-PC-2026-000421?ucr={Ucr}");
        Assert.Equal(("issued", "NL-PC-2026-000417"), ((string?)certificate["status"], (string?)certificate["replaces"]));

        // JP stops; NL's officers go on certifying. Nothing is lost: the entries wait and flow when JP returns.
        await _mesh.StopNodeAsync("JP");
        var numbers = Enumerable.Range(1, 12).Select(i => $"NLAEOS{i:D7}").ToList();
        foreach (var number in numbers)
        {
            await nl.PostAsync("/api/aeo-operators", Certification(number), HttpStatusCode.Created);
        }

        await nl.PostAsync($"/api/aeo-operators/{numbers[0]}/suspend", new { reason = "Audit while the partner was offline" });
        Assert.True((long)(await nl.LinkAsync("JP"))["backlog"]! > 0, "entries certified while JP is down wait in NL's backlog");

        await _mesh.StartNodeAsync("JP");
        await WaitForAsync(
            async () => (string?)(await jp.SharedAsync("NL", "aeo-operator", numbers[0]))?["fields"]?["status"] == "suspended"
                && (await Task.WhenAll(numbers.Select(n => jp.SharedAsync("NL", "aeo-operator", n)))).All(shared => shared is not null),
            "JP to catch up");

        // Every entry arrived once, in order, verifiable; NL holds JP's endorsement of each.
        var origin = _mesh.Service<AdministrationNode>("NL");
        var copyHolder = _mesh.Service<AdministrationNode>("JP");
        foreach (var number in numbers)
        {
            var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, number);
            var original = await origin.Store.Entities.ReadAsync(entity, 1, 100);
            var copy = await copyHolder.Store.Entities.ReadAsync(entity, 1, 100);
            Assert.Equal(original.Select(e => e.Entry.Hash), copy.Select(e => e.Entry.Hash));
            Assert.True(ChainVerifier.Verify(copy.Select(e => e.Entry), copyHolder.PartnerKeys).IsValid);
        }

        await WaitForAsync(
            async () => (await Task.WhenAll(numbers.Select(n => AllRecognizedAsync(nl, "aeo-operator", n)))).All(recognized => recognized),
            "JP's endorsements at NL");
        await WaitForAsync(async () => (long)(await nl.LinkAsync("JP"))["backlog"]! == 0, "NL's backlog to JP to drain");
        Assert.True((bool)(await nl.LinkAsync("JP"))["connected"]!);
    }

    [Fact]
    public async Task PartnerCursors_AreOrleansGrainStateInTheStorageAccount_SurviveARestart_AndAreSeededFromTheOldPartnersTable()
    {
        await new DemoScenario(_mesh, TextWriter.Null).EstablishAgreementAsync();
        var node = _mesh.Service<AdministrationNode>("NL");
        var options = _mesh.Service<NodeOptions>("NL");
        await node.Grains.GetGrain<IAeoOperatorGrain>("NLAEOF0000321").Certify(new CertifyAeoOperator("Cursor B.V.", "Kade 3", "AEOF", new DateOnly(2026, 3, 1), null));
        using var nl = Client("NL");
        await WaitForAsync(async () => (long)(await nl.LinkAsync("JP"))["backlog"]! == 0, "JP to acknowledge all of NL's log");
        var link = await nl.LinkAsync("JP");
        var (acknowledged, received) = ((long)link["acknowledgedThrough"]!, (long)link["receivedThrough"]!);
        var checkpoint = (await node.StreamFromAsync("JP")).LastCheckpoint;
        Assert.True(acknowledged > 0 && received > 0, link.ToJsonString());
        Assert.NotNull(checkpoint);

        // Both cursors are rows of Orleans' Azure Table grain storage; the old partners table holds none.
        var grainState = new TableClient(Azurite, NodeSilo.GrainStateTableOf(options));
        var rows = await grainState.QueryAsync<TableEntity>().ToListAsync();
        Assert.Contains(rows, r => r.PartitionKey.Contains("partnerlink", StringComparison.OrdinalIgnoreCase) && r.PartitionKey.Contains("JP", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.PartitionKey.Contains("partnerinbound", StringComparison.OrdinalIgnoreCase) && r.PartitionKey.Contains("JP", StringComparison.Ordinal));
        var legacy = new AzureTableNodeStore(NodeOptionsValidation.StorageOf(options), TimeProvider.System);
        Assert.Empty(await legacy.Partners.ListAsync());

        // A restart reads them back: the link stands where it stood, before any new acknowledgement.
        await _mesh.StopNodeAsync("NL");
        await _mesh.StartNodeAsync("NL");
        link = await nl.LinkAsync("JP");
        Assert.Equal((acknowledged, received), ((long)link["acknowledgedThrough"]!, (long)link["receivedThrough"]!));

        // A node upgraded from before grain state: no grain state yet, its cursors in the partners
        // table. They are taken from there, so nothing is sent or asked for again from the start.
        await _mesh.StopNodeAsync("NL");
        foreach (var row in rows)
        {
            await grainState.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        await legacy.Partners.SaveAsync(new PartnerState("JP", acknowledged, checkpoint, DateTimeOffset.UtcNow) { ReceivedThrough = received });
        await _mesh.StartNodeAsync("NL");
        link = await nl.LinkAsync("JP");
        Assert.Equal((acknowledged, received), ((long)link["acknowledgedThrough"]!, (long)link["receivedThrough"]!));
        Assert.Equal(checkpoint, (await _mesh.Service<AdministrationNode>("NL").StreamFromAsync("JP")).LastCheckpoint);
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

    private static string Azurite => Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE")!;

    private NodeHttpClient Client(string administration) => new(administration, _mesh.Client(administration, Roles.Supervisor));

    private static Task<TimeSpan> WaitForAsync(Func<Task<bool>> condition, string what) => DemoMesh.WaitForAsync(condition, Deadline, what);

    private static async Task<bool> AllRecognizedAsync(NodeHttpClient node, string kind, string id) =>
        (await node.GetAsync($"/api/ledger/{kind}/{id}/endorsements"))["entries"]!.AsArray().All(e => (bool)e!["recognized"]!);

    private static async Task<JsonNode?> DeliveryToJapanAsync(NodeHttpClient node, string ucr) =>
        (await node.GetAsync($"/api/shipments/{ucr}"))["deliveries"]!.AsArray().SingleOrDefault(d => (string?)d!["partner"] == "JP");

    private static object Certification(string number) => new
    {
        aeoNumber = number,
        name = "Operator " + number,
        address = "Havenstraat 1, 3011 Rotterdam",
        programme = number.StartsWith("NLAEOS", StringComparison.Ordinal) ? "AEOS" : "AEOF",
        certifiedOn = "2026-01-15",
        validUntil = "2029-01-14",
    };

    private static object Proposal(string agreementId)
    {
        string[] aeoFields = ["aeoNumber", "name", "programme", "status", "certifiedOn", "validUntil", "reason", "effectiveAt"];
        string[] shipmentFields = ["ucr", "status", "exportingAdministration", "importingAdministration", "consignor", "consignee", "documentType", "number", "issuedOn", "contentDigest", "replaces", "reason", "remarks", "partner", "deliveryState", "warnings", "decision"];
        return new
        {
            agreementId,
            title = "Netherlands-Japan AEO mutual recognition",
            parties = new[] { "NL", "JP" },
            aeoProgrammes = new[] { "AEOF", "AEOS" },
            documentTypes = new[] { "phytosanitary-certificate", "certificate-of-origin" },
            sharingPolicies = new object[]
            {
                new { partyId = "NL", kinds = new[] { new { entityKind = "aeo-operator", fieldNames = aeoFields } } },
                new { partyId = "JP", kinds = new[] { new { entityKind = "aeo-operator", fieldNames = aeoFields }, new { entityKind = "shipment", fieldNames = shipmentFields } } },
            },
            endorsementQuorum = 1,
        };
    }

    private static string Digest(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

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
