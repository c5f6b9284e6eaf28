using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;
using Interconnect.Storage;

namespace Interconnect.Node.Tests;

public sealed class MeshScenarioTests(DemoMeshFixture fixture) : IClassFixture<DemoMeshFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private DemoMesh Mesh => fixture.Mesh;

    [Fact]
    public void Scenario_PrintsEveryStepWithTimings()
    {
        Assert.Contains("the proposal reached JP in", fixture.ScenarioOutput, StringComparison.Ordinal);
        Assert.Contains("JP sees status suspended after", fixture.ScenarioOutput, StringComparison.Ordinal);
        Assert.Contains("rejected it with a signed reason (bad-signature)", fixture.ScenarioOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnerCopy_HoldsOnlyThePolicysFields_AndVerifies()
    {
        var jp = Mesh.Service<AdministrationNode>("JP");
        var nl = Mesh.Service<AdministrationNode>("NL");
        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, DemoScenario.AeoNumber);
        var copy = await jp.Store.Entities.ReadAsync(entity, 1, 100);
        var original = await nl.Store.Entities.ReadAsync(entity, 1, 100);

        Assert.Equal(original.Select(e => e.Entry.Hash), copy.Select(e => e.Entry.Hash));
        Assert.All(copy, e => Assert.DoesNotContain(e.Fields, f => f.Name == "address"));
        Assert.All(copy, e => Assert.Null(e.VerifyFields()));
        Assert.True(Ledger.Chains.ChainVerifier.Verify(copy.Select(e => e.Entry), jp.PartnerKeys).IsValid);
    }

    [Fact]
    public async Task AdministrationWithoutAgreement_ReceivesNothing()
    {
        var be = Mesh.Service<AdministrationNode>("BE");
        Assert.Null(await be.Store.Entities.GetHeadAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, DemoScenario.AeoNumber)));
        Assert.Null(await be.Store.Entities.GetHeadAsync(new EntityKey("NL", ShipmentGrain.EntityKind, DemoScenario.Ucr)));
    }

    [Fact]
    public async Task Endorsements_AreSignedReceiptsRecordedAtTheOrigin()
    {
        var endorsements = await Mesh.Service<IMeshQueries>("NL").GetEndorsementsAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, DemoScenario.AeoNumber));
        Assert.NotEmpty(endorsements);
        Assert.All(endorsements, e =>
        {
            Assert.True(e.Recognized);
            Assert.Contains(e.Receipts, r => r.Issuer == "JP" && r.Verdict == "endorsed");
        });
    }

    [Fact]
    public async Task LinkStatus_ShowsNoBacklogOnceAcknowledged()
    {
        var queries = Mesh.Service<IMeshQueries>("NL");
        await DemoMesh.WaitForAsync(async () => (await queries.GetLinksAsync()).Single(l => l.Partner == "JP").Backlog == 0, Deadline, "JP's acknowledgement of everything");
        var link = (await queries.GetLinksAsync()).Single(l => l.Partner == "JP");
        Assert.True(link.Connected);
        Assert.Equal(Mesh.Service<AdministrationNode>("NL").Log.Size, link.AcknowledgedThrough);
        Assert.Null(link.Alarm);
    }

    [Fact]
    public async Task FieldsBeyondThePolicy_AreRejectedWithAReason_AndNothingChanges()
    {
        var nl = Mesh.Service<AdministrationNode>("NL");
        var jp = Mesh.Service<AdministrationNode>("JP");
        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, DemoScenario.AeoNumber);
        var certified = (await nl.Store.Entities.ReadAsync(entity, 1, 1))[0];
        var before = await jp.Store.Entities.GetHeadAsync(entity);
        var rejections = RejectionCount("JP", "beyond-policy");

        // NL's own certification, but with every field disclosed (the address included).
        Assert.Contains(certified.Fields, f => f.Name == "address");
        await SendAsync("JP", new ReplicateEntityRange("NL", "JP", entity.Kind, entity.Id, [WireCodec.ToWire(certified)]));

        await DemoMesh.WaitForAsync(() => Task.FromResult(RejectionCount("JP", "beyond-policy") > rejections), Deadline, "the rejection");
        Assert.Equal(before, await jp.Store.Entities.GetHeadAsync(entity));
    }

    [Fact]
    public async Task EntryFromAStranger_IsRefused_AndCounted()
    {
        var before = RejectionCount("JP", "not-a-partner");
        await SendAsync("JP", new ReplicateEntries("XX", "JP", 0, 1, [], null, null, 0));
        await DemoMesh.WaitForAsync(() => Task.FromResult(RejectionCount("JP", "not-a-partner") > before), Deadline, "the refusal");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => Mesh.Service<AdministrationNode>("JP").StreamFromAsync("XX"));
        Assert.Contains("not a partner", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForkedCheckpoint_RaisesAnAlarm_AndIsNotAccepted()
    {
        var (nl, jp, held, heldCheckpoint) = await CheckpointJpHoldsOfNlAsync();

        // NL's key signs a checkpoint of the same size with another root: a forked history.
        var forged = SignedCheckpoint.Sign(
            new Checkpoint("NL", heldCheckpoint.TreeSize, Hash256.Of("another history"u8), heldCheckpoint.Timestamp),
            nl.Signer).Encode();
        await SendAsync("JP", new ReplicateEntries("NL", "JP", held.ReceivedThrough, held.ReceivedThrough, [], forged, null, 0));

        await DemoMesh.WaitForAsync(() => Task.FromResult(Mesh.Service<IMeshQueries>("JP").Alarms.Any(a => a.Partner == "NL" && a.Kind == "checkpoint-fork")), Deadline, "the alarm");
        Assert.Equal(held.LastCheckpoint, (await jp.StreamFromAsync("NL")).LastCheckpoint);
        var link = (await Mesh.Service<IMeshQueries>("JP").GetLinksAsync()).Single(l => l.Partner == "NL");
        Assert.Equal("checkpoint-fork", link.Alarm?.Kind);
    }

    [Fact]
    public async Task OlderCheckpointOfAnOvertakenMessage_IsNoAlarm_ButASmallerTreeSignedLaterIs()
    {
        var (nl, jp, held, heldCheckpoint) = await CheckpointJpHoldsOfNlAsync();
        var size = heldCheckpoint.TreeSize;
        Assert.True(size >= 3, $"NL's checkpoint at JP has {size} leaves");
        var leaves = await nl.Store.Log.ReadAsync(0, (int)size);
        Checkpoint Of(long treeSize, DateTimeOffset at) =>
            new("NL", treeSize, MerkleLog.Load(leaves.Take((int)treeSize).Select(l => l.EntryHash)).Root(), at);

        // A message overtaken by later ones arrives again (a broker's redelivery): its checkpoint of
        // the first leaf was signed before the one JP holds. Then a checkpoint of fewer leaves than
        // JP holds, signed after it: NL rolled its log back.
        var overtaken = SignedCheckpoint.Sign(Of(1, heldCheckpoint.Timestamp.AddMilliseconds(-1)), nl.Signer).Encode();
        var rolledBack = SignedCheckpoint.Sign(Of(size - 1, heldCheckpoint.Timestamp.AddMilliseconds(1)), nl.Signer).Encode();
        await SendAsync("JP", new ReplicateEntries("NL", "JP", held.ReceivedThrough, held.ReceivedThrough, [], overtaken, null, 0));
        await SendAsync("JP", new ReplicateEntries("NL", "JP", held.ReceivedThrough, held.ReceivedThrough, [], rolledBack, null, 0));

        // NL's stream applies in order, so once the second raised its alarm the first was handled.
        var alarms = Mesh.Service<IMeshQueries>("JP");
        await DemoMesh.WaitForAsync(
            () => Task.FromResult(alarms.Alarms.Any(a => a.Partner == "NL" && a.Message == $"The log shrank from {size} to {size - 1} leaves.")), Deadline, "the rollback alarm");
        Assert.DoesNotContain(alarms.Alarms, a => a.Partner == "NL" && a.Message.Contains($"from {size} to 1 ", StringComparison.Ordinal));
        Assert.Equal(held.LastCheckpoint, (await jp.StreamFromAsync("NL")).LastCheckpoint);
    }

    // NL and JP, what JP holds of NL's stream, and the checkpoint of NL's log it holds.
    private async Task<(AdministrationNode Nl, AdministrationNode Jp, PartnerStreamPosition Held, Checkpoint Checkpoint)> CheckpointJpHoldsOfNlAsync()
    {
        var jp = Mesh.Service<AdministrationNode>("JP");
        var held = await jp.StreamFromAsync("NL");
        Assert.NotNull(held.LastCheckpoint);
        return (Mesh.Service<AdministrationNode>("NL"), jp, held, SignedCheckpoint.Decode(held.LastCheckpoint).Value!.Checkpoint);
    }

    private long RejectionCount(string at, string code) =>
        Mesh.Service<IMeshQueries>(at).RejectionsByReason.GetValueOrDefault(code);

    private async Task SendAsync<T>(string to, T message)
        where T : class
    {
        var bus = Mesh.Mesh.Find(to)!;
        var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + QueueNames.Inbound(to)));
        await endpoint.Send(message);
    }
}
