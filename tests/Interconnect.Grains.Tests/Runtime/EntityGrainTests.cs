using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Shipments;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Grains.Tests.Runtime;

public interface IRecordingGrain : IGrainWithStringKey
{
    Task<int> Record(int fieldCount, int valueLength);
}

/// <summary>A minimal entity grain that writes whatever payload size it is asked for.</summary>
internal sealed class RecordingGrain(AdministrationContext administration) : EntityGrain<RecordingGrain.Count>(administration), IRecordingGrain
{
    internal sealed record Count(int Entries);

    protected override string Kind => "test-recording";

    protected override Count Initial => new(0);

    public async Task<int> Record(int fieldCount, int valueLength)
    {
        var fields = Enumerable.Range(0, fieldCount).ToDictionary(i => $"f{i:D3}", _ => new string('v', valueLength));
        return (await CommitAsync(_ => new LedgerChange("test.recorded", fields))).Entries;
    }

    protected override Count Apply(Count state, DisclosedEntry entry) => new(state.Entries + 1);

    protected override void ValidateKey(string key) =>
        Fields.Matching(key, "key", new System.Text.RegularExpressions.Regex("^[A-Z]{1,8}$"), "1 to 8 upper-case letters");
}

public sealed class EntityGrainTests : IAsyncLifetime
{
    private readonly TestNode _node = TestNode.Start();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Commit_RecordsTheActorInScope_AndNoneOutsideOrUnderNone()
    {
        var grain = _node.Grain<IRecordingGrain>("ACTOR");
        using (Actor.Enter(new Actor("nl-officer-0042", "officer")))
        {
            await grain.Record(1, 1);
            using (Actor.None())
            {
                await grain.Record(1, 1);
            }
        }

        await grain.Record(1, 1);

        var entries = await _node.Context.Store.Entities.ReadAsync(new(_node.Context.AdministrationId, "test-recording", "ACTOR"), 1, 10);
        Assert.Equal(("nl-officer-0042", "officer"), (entries[0][Actor.IdField], entries[0][Actor.RoleField]));
        Assert.NotNull(entries[0].Entry.Body.Field(Actor.IdField));
        Assert.All(entries.Skip(1), e => Assert.Null(e.Entry.Body.Field(Actor.IdField)));
        Assert.All(entries.Skip(1), e => Assert.Null(e.Entry.Body.Field(Actor.RoleField)));
    }

    [Fact]
    public async Task Commit_PayloadOverTheEntryLimit_IsInvalidAndHeadUnchanged()
    {
        var grain = _node.Grain<IRecordingGrain>("LIMIT");
        await grain.Record(1, 10);
        var before = await _node.HeadAsync("test-recording", "LIMIT");

        // 5 fields of 60 KiB: each under the field limit, together over the 256 KiB payload limit.
        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.Record(5, 60 * 1024));

        Assert.Contains($"at most {EntryLimits.MaxPayloadBytes}", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _node.HeadAsync("test-recording", "LIMIT"));
        Assert.Equal(1UL, before!.LastSequence);
    }

    [Fact]
    public async Task Commit_FieldOverTheFieldLimit_IsInvalid()
    {
        var grain = _node.Grain<IRecordingGrain>("FIELD");

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.Record(1, FieldDigest.MaxValueBytes + 1));

        Assert.Contains($"at most {FieldDigest.MaxValueBytes}", error.Message, StringComparison.Ordinal);
        Assert.Null(await _node.HeadAsync("test-recording", "FIELD"));
    }

    [Fact]
    public async Task Commit_TooManyFields_IsInvalid()
    {
        var grain = _node.Grain<IRecordingGrain>("MANY");

        await Assert.ThrowsAsync<InvalidCommandException>(() => grain.Record(EntryLimits.MaxFields + 1, 1));

        Assert.Null(await _node.HeadAsync("test-recording", "MANY"));
    }

    [Fact]
    public async Task Commit_AtTheLimits_IsStoredAndLogged()
    {
        var grain = _node.Grain<IRecordingGrain>("EDGE");

        var count = await grain.Record(4, 60 * 1024);

        Assert.Equal(1, count);
        Assert.Equal(1L, _node.Log.Size);
        Assert.Equal(1UL, (await _node.HeadAsync("test-recording", "EDGE"))!.LoggedThrough);
    }

    [Fact]
    public async Task Silo_ServesAllThreeCustomsGrains()
    {
        var aeo = await _node.Grain<IAeoOperatorGrain>("NLAEOF0000001").GetState();
        var mra = await _node.Grain<IMraAgreementGrain>("MRA-1").GetState();
        var shipment = await _node.Grain<IShipmentGrain>("UCR-00001").GetState();

        Assert.Equal(AeoStatus.None, aeo.Status);
        Assert.Equal(MraStatus.None, mra.Status);
        Assert.Equal(ShipmentStatus.None, shipment.Status);
        Assert.Equal(3, _node.Activations.Active);
    }

    [Fact]
    public async Task Activation_AfterAFailedActivation_IsRetriedOnTheNextCall()
    {
        await Assert.ThrowsAsync<InvalidCommandException>(() => _node.Grain<IRecordingGrain>("bad").Record(1, 1));

        Assert.Equal(0, _node.Activations.Active);
        Assert.Equal(1, await _node.Grain<IRecordingGrain>("GOOD").Record(1, 1));
    }
}
