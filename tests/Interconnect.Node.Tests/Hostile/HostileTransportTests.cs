using System.Text;
using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage;
using RabbitMQ.Client;

namespace Interconnect.Node.Tests.Hostile;

/// <summary>
/// Hostile bytes on the real transport: NL and JP on the real RabbitMQ (a virtual host each, linked by
/// forwarders) and the real Azurite. What no typed sender can produce (bytes that are no JSON, wrong
/// types, missing members) and whole messages refused by the limits must reach JP's error queue with
/// the reason, and JP's consumer must go on.
/// </summary>
public sealed class HostileTransportTests : IAsyncLifetime
{
    private static readonly string[] Administrations = ["NL", "JP"];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);
    private BrokeredMesh _brokered = null!;
    private DemoMesh _mesh = null!;
    private IReadOnlyDictionary<string, TestVirtualHost> _vhosts = null!;

    public async Task InitializeAsync()
    {
        _brokered = await BrokeredMesh.StartAsync(Administrations, "ho");
        (_mesh, _vhosts) = (_brokered.Mesh, _brokered.VirtualHosts);
    }

    public async Task DisposeAsync() => await _brokered.DisposeAsync();

    [Fact]
    public async Task UnreadableWronglyTypedMisaddressedAndOversizedMessages_GoToTheErrorQueueWithTheReason_AndTheConsumerGoesOn()
    {
        await new DemoScenario(_mesh, TextWriter.Null).EstablishAgreementAsync();
        var jp = _mesh.Service<AdministrationNode>("JP");
        var nl = _mesh.Service<AdministrationNode>("NL");
        await DemoMesh.WaitForAsync(async () => (await _mesh.Service<IMeshQueries>("NL").GetLinksAsync()).All(l => l.Backlog == 0), Deadline, "NL's link to drain");
        var before = await StoredState.TakeAsync(jp);
        var oversized = _mesh.Service<IMeshQueries>("JP").RejectionsByReason.GetValueOrDefault("oversized");
        const string ReplicateEntriesUrn = "urn:message:interconnect:replicate-entries:v1";

        string[] bodies =
        [
            "{ not json",
            "{\"messageType\":[\"" + ReplicateEntriesUrn + "\"],\"message\":{\"origin\":42,\"destination\":[\"JP\"],\"logFrom\":\"first\",\"logThrough\":{},\"entries\":\"none\"}}",
            "{\"messageType\":[\"" + ReplicateEntriesUrn + "\"],\"message\":{}}",
            "{\"messageType\":[\"urn:message:interconnect:no-such-message:v1\"],\"message\":{\"origin\":\"NL\"}}",
        ];
        await using (var connection = await _vhosts["JP"].ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
            foreach (var body in bodies)
            {
                await channel.BasicPublishAsync(QueueNames.Inbound("JP"), string.Empty, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
            }
        }

        // A readable message for another administration, and one with more entries than any batch, on NL's link.
        var link = _mesh.Service<IPartnerChannel>("NL");
        await link.SendAsync("JP", new RequestLogRange("NL", "BE", 0));
        var entity = new EntityKey("NL", "mra-agreement", DemoScenario.AgreementId);
        var held = (await nl.Store.Entities.ReadAsync(entity, 1, 1))[0];
        await link.SendAsync("JP", new ReplicateEntityRange("NL", "JP", entity.Kind, entity.Id, [.. Enumerable.Repeat(WireCodec.ToWire(held), WireCodec.MaxEntriesPerMessage + 1)]));

        try
        {
            await DemoMesh.WaitForAsync(async () => (await ErrorQueueDepthAsync("JP")) >= 5, Deadline, "all five messages in JP's error queue");
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"{e.Message} Depth {await ErrorQueueDepthAsync("JP")}; skipped {await ErrorQueueDepthAsync("JP", "_skipped")}; reasons: {string.Join(" / ", await ErrorReasonsAsync("JP"))}");
        }

        var reasons = await ErrorReasonsAsync("JP");
        await DemoMesh.WaitForAsync(async () => (await ErrorQueueDepthAsync("JP", "_skipped")) >= 1, Deadline, "the message of an unknown type in JP's skipped queue");
        Assert.Contains(reasons, r => r.Contains("addressed to BE", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("lacks its sender or destination", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains($"at most {WireCodec.MaxEntriesPerMessage} are accepted", StringComparison.Ordinal));
        Assert.Equal(oversized + 1, _mesh.Service<IMeshQueries>("JP").RejectionsByReason.GetValueOrDefault("oversized"));
        Assert.Equal(before, await StoredState.TakeAsync(jp));

        // The consumer goes on: a new certification reaches JP.
        await nl.Grains.GetGrain<IAeoOperatorGrain>("NLAEOF7777001").Certify(new CertifyAeoOperator("After the noise", "Kade 2", "AEOF", new DateOnly(2026, 5, 1), null));
        await DemoMesh.WaitForAsync(
            async () => await _mesh.Service<IMeshQueries>("JP").GetSharedAsync("NL", AeoOperatorGrain.EntityKind, "NLAEOF7777001") is not null,
            Deadline,
            "the certification at JP");

        new HostileRow(
            13, "transport-malformed", "on RabbitMQ + Azurite: bytes that are no JSON; wrong member types; no members; a message addressed to BE; 1001 entries in one message; a message of an unknown type",
            "error queue with the reason (an unknown type: the skipped queue); consumer goes on", $"5 in JP's error queue ({reasons.Count} with the fault reason header), the unknown type in the skipped queue; a later certification reached JP",
            "oversized (x1); the others are not entries and are only in the error queue", "unchanged").Write();
    }

    private async Task<uint> ErrorQueueDepthAsync(string administration, string suffix = "_error")
    {
        await using var connection = await _vhosts[administration].ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(QueueNames.Inbound(administration) + suffix)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>The fault reasons MassTransit put on the messages in the error queue (read and put back).</summary>
    private async Task<List<string>> ErrorReasonsAsync(string administration)
    {
        var reasons = new List<string>();
        await using var connection = await _vhosts[administration].ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var tags = new List<ulong>();
        while (await channel.BasicGetAsync(QueueNames.Inbound(administration) + "_error", autoAck: false) is { } message)
        {
            tags.Add(message.DeliveryTag);
            if (message.BasicProperties.Headers?.TryGetValue("MT-Fault-Message", out var reason) == true)
            {
                reasons.Add(reason is byte[] bytes ? Encoding.UTF8.GetString(bytes) : reason?.ToString() ?? string.Empty);
            }
        }

        foreach (var tag in tags)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true);
        }

        return reasons;
    }
}
