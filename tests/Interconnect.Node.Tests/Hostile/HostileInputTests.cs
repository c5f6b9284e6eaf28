using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Replication;
using Interconnect.Node.Telemetry;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Hostile;

/// <summary>
/// Hostile input sent to a real node (JP, on the in-memory mesh after the demo scenario): each case
/// asserts the answer (a signed rejection with its reason back at the sender, or an idempotent
/// endorsement), the count in the metrics, and that nothing JP already stored changed.
/// </summary>
public sealed class HostileInputTests(HostileMeshFixture fixture) : HostileCaseBase(fixture), IClassFixture<HostileMeshFixture>
{
    private static readonly EntityKey Aeo = new("NL", AeoOperatorGrain.EntityKind, DemoScenario.AeoNumber);

    [Fact]
    public async Task ForgedSignature_IsRejectedBadSignature_AtTheSender_AndChangesNothing()
    {
        await QuietAsync();
        var jp = Node("JP");
        var head = (await jp.Store.Entities.GetHeadAsync(Aeo))!;
        var before = await StoredState.TakeAsync(jp);
        var (issued, received, counted) = (Issued("JP", "bad-signature"), Received("NL", "bad-signature"), Counted("JP", "bad-signature"));

        // NL's key id, NL as origin, the next sequence on the right link: only the signature is a rogue key's.
        using var rogue = EcdsaP256Signer.Generate();
        var forged = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, head.LastHash, Reinstated(), rogue, keyId: Node("NL").Signer.KeyId);
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(forged)]));

        await WaitAsync(() => Received("NL", "bad-signature") > received, "NL to receive JP's signed rejection");
        Assert.Equal(issued + 1, Issued("JP", "bad-signature"));
        Assert.Equal(counted + 1, Counted("JP", "bad-signature"));
        await SettleAsync();
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(1, "forged-signature", "an entry claiming NL, NL's key id, the next sequence, signed with a rogue key", "bad-signature (signed receipt to NL)", "bad-signature", "bad-signature");
    }

    [Fact]
    public async Task ReplayedEntries_AreEndorsedAgainIdempotently_AndNothingIsAppliedTwice()
    {
        await QuietAsync();
        var jp = Node("JP");
        var held = await jp.Store.Entities.ReadAsync(Aeo, 1, 100);
        Assert.True(held.Count >= 2);
        var state = await jp.StreamFromAsync("NL");
        var before = await StoredState.TakeAsync(jp);
        var endorsed = EndorsementsIssued("JP");
        var rejected = Queries("JP").RejectionsByReason.Values.Sum();

        // The same entries again, on both paths: as an entity range and inside the log stream (an old range of it).
        var wires = held.Select(Crafted.Wire).ToList();
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, wires));
        await SendAsync("NL", "JP", new ReplicateEntries("NL", "JP", 0, state.ReceivedThrough, wires, null, null, 0));

        await WaitAsync(() => EndorsementsIssued("JP") >= endorsed + (2 * held.Count), "JP's endorsements of the replayed entries");
        await SettleAsync();
        Assert.Equal(endorsed + (2 * held.Count), EndorsementsIssued("JP"));
        Assert.Equal(rejected, Queries("JP").RejectionsByReason.Values.Sum());
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Assert.Equal(held.Select(e => e.Entry.Hash), (await jp.Store.Entities.ReadAsync(Aeo, 1, 100)).Select(e => e.Entry.Hash));
        Row(2, "replayed-entries", $"the {held.Count} entries JP already holds, sent again as a range and inside an old stream range", "idempotent endorsement (no rejection, nothing applied twice)",
            $"{2 * held.Count} endorsements re-issued, 0 rejections", "interconnect.entries.endorsed (issued) +" + (2 * held.Count));
    }

    [Fact]
    public async Task ReorderedEntries_AreHeldUntilTheGapIsFilled_ThenAppliedInOrder()
    {
        await QuietAsync();
        var nl = Node("NL");
        var jp = Node("JP");
        const string Number = "NLAEOF0000900";
        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, Number);
        await nl.Grains.GetGrain<IAeoOperatorGrain>(Number).Certify(new CertifyAeoOperator("Reorder B.V.", "Kade 9, Delft", "AEOF", new DateOnly(2026, 2, 1), null));
        await DemoMesh.WaitForAsync(async () => (await jp.Store.Entities.GetHeadAsync(entity))?.LastSequence == 1, Deadline, "the certification at JP");
        await QuietAsync();
        var first = (await nl.Store.Entities.ReadAsync(entity, 1, 1))[0];
        var second = Crafted.Entry("NL", entity.Kind, Number, 2, first.Entry.Hash, Suspended(Number), nl.Signer, type: "aeo.suspended");
        var third = Crafted.Entry("NL", entity.Kind, Number, 3, second.Entry.Hash, Reinstated(Number), nl.Signer);
        var before = await StoredState.TakeAsync(jp);
        var replicated = Meter.Total(Telemetry("NL"), MetricNames.EntriesReplicated, $"{MetricNames.PartnerTag}=JP");
        var rejected = Queries("JP").RejectionsByReason.Values.Sum();

        // Entry 3 first, while NL cannot yet answer the range request: JP must hold it, not apply it.
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", entity.Kind, Number, [Crafted.Wire(third)]));
        await Task.Delay(500);
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Assert.Equal(rejected, Queries("JP").RejectionsByReason.Values.Sum());

        // The origin's ledger now holds 2 and 3 (written to its store directly, so its own sender stays out of
        // the way); entry 3 again: JP holds it, asks NL for 2..3, and applies them in order.
        await nl.Store.Entities.AppendAsync(entity, 1, [second, third]);
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", entity.Kind, Number, [Crafted.Wire(third)]));
        await DemoMesh.WaitForAsync(async () => (await jp.Store.Entities.GetHeadAsync(entity))?.LastSequence == 3, Deadline, "entries 2 and 3 at JP");

        var copy = await jp.Store.Entities.ReadAsync(entity, 1, 10);
        Assert.Equal([first.Entry.Hash, second.Entry.Hash, third.Entry.Hash], copy.Select(e => e.Entry.Hash));
        Assert.True(ChainVerifier.Verify(copy.Select(e => e.Entry), jp.PartnerKeys).IsValid);
        Assert.True(Meter.Total(Telemetry("NL"), MetricNames.EntriesReplicated, $"{MetricNames.PartnerTag}=JP") >= replicated + 2, "NL answered JP's range request");
        Assert.Equal(rejected, Queries("JP").RejectionsByReason.Values.Sum());
        Row(3, "reordered-entries", "entry n+2 before n+1", "held (never applied out of order), range n+1..n+2 requested, then applied in order",
            "held: state unchanged while the gap was open; range fetched from NL; 1, 2, 3 applied in order, chain verifies", "0 rejections; NL's interconnect.entries.replicated +2 (the range)",
            "unchanged while held; then exactly entries 2 and 3 added");
    }

    [Fact]
    public async Task ForkAttempt_IsRejectedFork_AndRaisesAMeshAlarm()
    {
        await QuietAsync();
        var nl = Node("NL");
        var jp = Node("JP");
        var held = await jp.Store.Entities.ReadAsync(Aeo, 1, 100);
        var last = held[^1];
        var before = await StoredState.TakeAsync(jp);
        var (received, counted) = (Received("NL", "fork"), Counted("JP", "fork"));
        var alarms = Meter.Total(Telemetry("JP"), MetricNames.MeshAlarms, $"{MetricNames.KindTag}=chain-fork");

        // Signed with NL's real key (a compromised key or a rewritten ledger): another entry for a sequence JP holds.
        var other = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, last.Entry.Body.Sequence, last.Entry.Body.PreviousHash, Reinstated(), nl.Signer);
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(other)]));

        await WaitAsync(() => Received("NL", "fork") > received, "NL to receive JP's signed fork rejection");
        Assert.Equal(counted + 1, Counted("JP", "fork"));
        Assert.Contains(Queries("JP").Alarms, a => a.Partner == "NL" && a.Kind == "chain-fork");
        Assert.Equal(alarms + 1, Meter.Total(Telemetry("JP"), MetricNames.MeshAlarms, $"{MetricNames.KindTag}=chain-fork"));
        await SettleAsync();
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(4, "fork-attempt", "a second, validly signed entry for a sequence JP already holds", "fork + mesh alarm", "fork; alarm chain-fork raised", "fork; interconnect.mesh.alarms{kind=chain-fork} +1");
    }

    [Fact]
    public async Task EntriesFromANonPartner_AreCountedNotAPartner_AndNothingIsStored()
    {
        await QuietAsync();
        var jp = Node("JP");
        var before = await StoredState.TakeAsync(jp, "XX");
        var (issued, counted) = (Issued("JP", "not-a-partner"), Counted("JP", "not-a-partner"));
        using var stranger = EcdsaP256Signer.Generate();
        var entry = Crafted.Entry("XX", AeoOperatorGrain.EntityKind, "XXAEO0001", 1, Hash256.Zero, new Dictionary<string, string> { ["aeoNumber"] = "XXAEO0001", ["status"] = "certified" }, stranger, type: "aeo.certified");

        await SendDirectAsync("JP", new ReplicateEntries("XX", "JP", 0, 1, [Crafted.Wire(entry)], null, null, 0));
        await SendDirectAsync("JP", new ReplicateEntityRange("XX", "JP", entry.Entry.Body.EntityKind, entry.Entry.Body.EntityId, [Crafted.Wire(entry)]));

        await WaitAsync(() => Counted("JP", "not-a-partner") >= counted + 2, "both messages refused");
        Assert.Equal(issued + 2, Issued("JP", "not-a-partner"));
        await SettleAsync();
        Assert.Contains("not a partner", (await Assert.ThrowsAnyAsync<Exception>(() => jp.StreamFromAsync("XX"))).Message, StringComparison.Ordinal);
        Assert.Null(await jp.Store.Entities.GetHeadAsync(new EntityKey("XX", AeoOperatorGrain.EntityKind, "XXAEO0001")));
        Assert.Equal(before, await StoredState.TakeAsync(jp, "XX"));
        Row(5, "non-partner", "a stream message and a range from XX, an administration not configured", "not-a-partner (counted only: no receipt to a stranger)", "not-a-partner, no receipt, no partner row", "not-a-partner (x2)");
    }

    [Fact]
    public async Task EntrySignedWithAKeyNoLongerTrusted_IsRejectedBadSignature()
    {
        await QuietAsync();
        var jp = Node("JP");
        var head = (await jp.Store.Entities.GetHeadAsync(Aeo))!;
        var before = await StoredState.TakeAsync(jp);
        var (received, counted) = (Received("NL", "bad-signature"), Counted("JP", "bad-signature"));

        // A key NL once had, under its own key id, that JP's configuration no longer lists for NL
        // (removal from the partner's PublicKeys stands in for revocation until key sets carry it).
        using var retired = EcdsaP256Signer.Generate();
        var entry = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, head.LastHash, Reinstated(), retired);
        Assert.NotEqual(Node("NL").Signer.KeyId, entry.Entry.Body.KeyId);
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(entry)]));

        await WaitAsync(() => Received("NL", "bad-signature") > received, "NL to receive JP's signed rejection");
        Assert.Equal(counted + 1, Counted("JP", "bad-signature"));
        await SettleAsync();
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(6, "untrusted-key", "an entry claiming NL signed with a key (and key id) not in JP's configured keys for NL: a removed key stands in for a revoked one", "bad-signature", "bad-signature (unknown key)", "bad-signature");
    }

    [Fact]
    public async Task EntrySignedWithAnotherAdministrationsKey_IsRejectedBadSignature()
    {
        await QuietAsync();
        var jp = Node("JP");
        var head = (await jp.Store.Entities.GetHeadAsync(Aeo))!;
        var before = await StoredState.TakeAsync(jp);
        var (received, counted) = (Received("NL", "bad-signature"), Counted("JP", "bad-signature"));

        // BE's real key, which JP trusts for BE's entries, on an entry claiming NL; and JP's own key likewise.
        var withBe = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, head.LastHash, Reinstated(), Node("BE").Signer);
        var withJp = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, head.LastHash, Reinstated(), jp.Signer);
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(withBe), Crafted.Wire(withJp)]));

        await WaitAsync(() => Received("NL", "bad-signature") >= received + 2, "NL to receive JP's two signed rejections");
        Assert.Equal(counted + 2, Counted("JP", "bad-signature"));
        await SettleAsync();
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(7, "other-administrations-key", "entries claiming NL signed with BE's key and with JP's own key", "bad-signature", "bad-signature (x2)", "bad-signature (x2)");
    }

    [Fact]
    public async Task OversizedMessages_AreRefusedWithAReason_AndTheConsumerGoesOn()
    {
        await QuietAsync();
        var nl = Node("NL");
        var jp = Node("JP");
        var head = (await jp.Store.Entities.GetHeadAsync(Aeo))!;
        var held = (await jp.Store.Entities.ReadAsync(Aeo, 1, 1))[0];
        var before = await StoredState.TakeAsync(jp);
        var (issued, received, counted) = (Issued("JP", "oversized"), Received("NL", "oversized"), Counted("JP", "oversized"));

        // 1. Far more entries than a batch may hold (BatchSize is at most 1000).
        var many = Enumerable.Repeat(Crafted.Wire(held), WireCodec.MaxEntriesPerMessage + 1).ToList();
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, many));
        await WaitAsync(() => Issued("JP", "oversized") >= issued + 1, "the refusal of the 1001-entry message");

        // 2. A field value of a megabyte, on an entry otherwise NL's: a signed rejection naming the entry.
        var bulky = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, head.LastHash, Reinstated(), nl.Signer);
        var bulkyWire = Crafted.Wire(bulky) with { Fields = [.. bulky.Fields.Select(f => new WireField(f.Name, f.Name == "reason" ? new string('x', 1024 * 1024) : f.Value, f.Salt))] };
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [bulkyWire]));
        await WaitAsync(() => Received("NL", "oversized") >= received + 1, "NL to receive the signed oversized rejection");

        // 3. A message of about 18 MB made of entries each within the limits.
        var field = new string('y', 60_000);
        var heavy = Enumerable.Range(0, 300).Select(_ => Crafted.Wire(held) with { Fields = [new WireField("name", field, held.Fields[0].Salt)] }).ToList();
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, heavy));
        await WaitAsync(() => Issued("JP", "oversized") >= issued + 3, "the refusal of the 18 MB message");

        // The consumer goes on: a replay of a held entry is still answered.
        var endorsed = EndorsementsIssued("JP");
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(held)]));
        await WaitAsync(() => EndorsementsIssued("JP") > endorsed, "JP to answer after the oversized messages");

        Assert.Equal(counted + 3, Counted("JP", "oversized"));
        Assert.Equal(issued + 3, Issued("JP", "oversized"));
        Assert.Equal(received + 1, Received("NL", "oversized"));
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(8, "oversized-messages", $"{WireCodec.MaxEntriesPerMessage + 1} entries in one message; a 1 MB field value; an 18 MB message", "oversized: whole messages refused to the error queue; an oversized entry gets a signed receipt",
            "oversized (x3): the two messages refused whole, the 1 MB field rejected with a signed receipt; the consumer went on", "oversized (x3)");
    }

    [Fact]
    public async Task MalformedAndMisaddressedMessages_AreRefused_AndTheConsumerGoesOn()
    {
        await QuietAsync();
        var jp = Node("JP");
        var held = (await jp.Store.Entities.ReadAsync(Aeo, 1, 1))[0];
        var before = await StoredState.TakeAsync(jp);
        var (received, counted) = (Received("NL", "malformed"), Counted("JP", "malformed"));

        // Entry bytes that are no ledger entry, an entry without bytes, a field without its salt.
        var garbage = new WireEntry([1, 2, 3, 4, 5], []);
        var empty = new WireEntry(null!, []);
        var saltless = Crafted.Wire(held) with { Fields = [new WireField("name", "x", null!)] };
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [garbage, empty, saltless]));
        await WaitAsync(() => Received("NL", "malformed") >= received + 3, "NL to receive the three signed malformed rejections");
        Assert.Equal(counted + 3, Counted("JP", "malformed"));

        // A readable message addressed to another administration, and one without its sender: refused whole.
        await SendDirectAsync("JP", new ReplicateEntityRange("NL", "BE", Aeo.Kind, Aeo.Id, [Crafted.Wire(held)]));
        await SendDirectAsync("JP", new ReplicateEntries(null!, "JP", 0, 1, [Crafted.Wire(held)], null, null, 0));

        // The consumer goes on.
        var endorsed = EndorsementsIssued("JP");
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(held)]));
        await WaitAsync(() => EndorsementsIssued("JP") > endorsed, "JP to answer after the malformed messages");
        Assert.Equal(endorsed + 1, EndorsementsIssued("JP"));
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(9, "malformed-messages", "undecodable entry bytes, an entry without bytes, a field without salt; a message addressed to BE; a message without sender (unreadable JSON and wrong types: see the RabbitMQ case)",
            "malformed (signed receipt) per entry; the misaddressed and sender-less messages to the error queue", "malformed (x3) back at NL; the two messages refused, the consumer went on", "malformed (x3)");
    }

    [Fact]
    public async Task FieldsBeyondThePolicy_AndOriginsWithoutAnAgreement_AreRejected()
    {
        await QuietAsync();
        var nl = Node("NL");
        var be = Node("BE");
        var jp = Node("JP");
        var before = await StoredState.TakeAsync(jp);
        var (beyond, noAgreement, notAParty) = (Received("NL", "beyond-policy"), Received("BE", "no-agreement"), Received("BE", "not-a-party"));
        var counted = (Counted("JP", "beyond-policy"), Counted("JP", "no-agreement"), Counted("JP", "not-a-party"));

        // NL's own certification with every field (the address, which the MRA withholds from JP).
        var whole = (await nl.Store.Entities.ReadAsync(Aeo, 1, 1))[0];
        Assert.Contains(whole.Fields, f => f.Name == "address");
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(whole)]));

        // BE, a partner without any MRA with JP, sends an AEO of its own.
        const string BeNumber = "BEAEOF0000001";
        await be.Grains.GetGrain<IAeoOperatorGrain>(BeNumber).Certify(new CertifyAeoOperator("Gent Cargo NV", "Dok 3, Gent", "AEOF", new DateOnly(2026, 3, 1), null));
        var beEntry = (await be.Store.Entities.ReadAsync(new EntityKey("BE", AeoOperatorGrain.EntityKind, BeNumber), 1, 1))[0];
        await SendAsync("BE", "JP", new ReplicateEntityRange("BE", "JP", AeoOperatorGrain.EntityKind, BeNumber, [Crafted.Wire(beEntry)]));

        // BE proposes an MRA with NL only, and sends the proposal to JP, which is not a party.
        const string Agreement = "MRA-BE-NL-2026";
        await be.Grains.GetGrain<IMraAgreementGrain>(Agreement).Propose(new ProposeMraAgreement(
            "Belgium-Netherlands", ["BE", "NL"], ["AEOF"], ["certificate-of-origin"],
            [new DataSharingPolicy("BE", [new SharedEntityKind(AeoOperatorGrain.EntityKind, ["aeoNumber", "status"])]), new DataSharingPolicy("NL", [new SharedEntityKind(AeoOperatorGrain.EntityKind, ["aeoNumber", "status"])])],
            EndorsementQuorum: 1));
        var proposal = (await be.Store.Entities.ReadAsync(new EntityKey("BE", MraAgreementGrain.EntityKind, Agreement), 1, 1))[0];
        await SendAsync("BE", "JP", new ReplicateEntityRange("BE", "JP", MraAgreementGrain.EntityKind, Agreement, [Crafted.Wire(proposal)]));

        await WaitAsync(() => Received("NL", "beyond-policy") > beyond, "NL to receive the beyond-policy rejection");
        await WaitAsync(() => Received("BE", "no-agreement") > noAgreement, "BE to receive the no-agreement rejection");
        await WaitAsync(() => Received("BE", "not-a-party") > notAParty, "BE to receive the not-a-party rejection");
        Assert.True(Counted("JP", "beyond-policy") > counted.Item1 && Counted("JP", "no-agreement") > counted.Item2 && Counted("JP", "not-a-party") > counted.Item3);

        // BE's own log moved on (its certification and proposal), so JP may have taken BE's stream further; nothing else.
        await QuietAsync();
        Assert.Null(await jp.Store.Entities.GetHeadAsync(new EntityKey("BE", AeoOperatorGrain.EntityKind, BeNumber)));
        Assert.Null(await jp.Store.Entities.GetHeadAsync(new EntityKey("BE", MraAgreementGrain.EntityKind, Agreement)));
        Assert.Equal(WithoutPartner(before, "BE"), WithoutPartner(await StoredState.TakeAsync(jp), "BE"));
        Row(10, "beyond-policy-and-no-agreement", "NL's entry with a field its MRA withholds from JP; an AEO from BE (no MRA with JP); an MRA proposal from BE to which JP is not a party",
            "beyond-policy; no-agreement; not-a-party", "beyond-policy at NL; no-agreement and not-a-party at BE", "beyond-policy, no-agreement, not-a-party",
            "unchanged (apart from how far JP has read BE's own stream)");
    }

    [Fact]
    public async Task WrongOriginBrokenChainAlteredFieldAndIncompleteMra_AreEachRejectedWithTheirCode()
    {
        await QuietAsync();
        var nl = Node("NL");
        var jp = Node("JP");
        var head = (await jp.Store.Entities.GetHeadAsync(Aeo))!;
        var before = await StoredState.TakeAsync(jp);
        string[] codes = ["wrong-origin", "broken-chain", "bad-field", "incomplete-mra"];
        var received = codes.ToDictionary(c => c, c => Received(c == "wrong-origin" ? "BE" : "NL", c));
        var counted = codes.ToDictionary(c => c, c => Counted("JP", c));

        // BE relays NL's genuine entry: only NL may send NL's entries.
        var genuine = (await jp.Store.Entities.ReadAsync(Aeo, 1, 1))[0];
        await SendAsync("BE", "JP", new ReplicateEntityRange("BE", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(genuine)]));

        // Signed by NL, next sequence, but linked to another entry than the one JP holds before it.
        var unlinked = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, Hash256.Of("another past"u8), Reinstated(), nl.Signer);

        // Signed by NL, but a disclosed value changed on the way.
        var altered = Crafted.Entry("NL", Aeo.Kind, Aeo.Id, head.LastSequence + 1, head.LastHash, Reinstated(), nl.Signer);
        var alteredWire = Crafted.Wire(altered) with { Fields = [.. altered.Fields.Select(f => new WireField(f.Name, f.Name == "status" ? "revoked" : f.Value, f.Salt))] };

        // The MRA's proposal with one of its fields withheld: MRA entries are disclosed whole to the parties.
        var mra = new EntityKey("NL", MraAgreementGrain.EntityKind, DemoScenario.AgreementId);
        var proposal = (await nl.Store.Entities.ReadAsync(mra, 1, 1))[0];
        var partial = Crafted.Wire(proposal) with { Fields = [.. Crafted.Wire(proposal).Fields.Skip(1)] };
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", Aeo.Kind, Aeo.Id, [Crafted.Wire(unlinked), alteredWire]));
        await SendAsync("NL", "JP", new ReplicateEntityRange("NL", "JP", mra.Kind, mra.Id, [partial]));

        foreach (var code in codes)
        {
            var sender = code == "wrong-origin" ? "BE" : "NL";
            await WaitAsync(() => Received(sender, code) > received[code], $"{sender} to receive JP's signed {code} rejection");
            Assert.Equal(counted[code] + 1, Counted("JP", code));
        }

        await SettleAsync();
        Assert.Equal(before, await StoredState.TakeAsync(jp));
        Row(11, "other-reason-codes", "NL's entry relayed by BE; an NL entry linked to another past; an NL entry with a disclosed value changed; NL's MRA proposal with a field withheld",
            "wrong-origin; broken-chain; bad-field; incomplete-mra", "wrong-origin at BE; broken-chain, bad-field and incomplete-mra at NL", "wrong-origin, broken-chain, bad-field, incomplete-mra (x1 each)");
    }

    [Fact]
    public async Task WithheldField_IsServedByNoHttpEndpoint()
    {
        await QuietAsync();
        var nl = Node("NL");
        var whole = (await nl.Store.Entities.ReadAsync(Aeo, 1, 1))[0];
        var address = whole.Fields.Single(f => f.Name == "address").Value;
        using var http = Mesh.Client("JP", Roles.Auditor);
        var size = await Node("JP").Store.Log.GetSizeAsync();
        var leaf = (await Node("JP").Store.Log.ReadAsync(0, 1))[0];
        var paths = new List<string>
        {
            "/api/node", "/api/partners", "/api/partners/NL/shared", "/api/partners/NL/shared?kind=aeo-operator",
            $"/api/partners/NL/shared/aeo-operator/{Aeo.Id}", $"/api/partners/NL/shared/shipment/{DemoScenario.Ucr}", $"/api/partners/NL/shared/mra-agreement/{DemoScenario.AgreementId}",
            "/api/mesh/alarms", $"/api/verify/aeo/{Aeo.Id}", $"/api/verify/certificate/NL-PC-2026-000421?ucr={DemoScenario.Ucr}",
            $"/api/ledger/aeo-operator/{Aeo.Id}", $"/api/ledger/aeo-operator/{Aeo.Id}/endorsements", $"/api/aeo-operators/{Aeo.Id}", "/api/aeo-operators",
            "/api/shipments", $"/api/shipments/{DemoScenario.Ucr}", "/api/mras", $"/api/mras/{DemoScenario.AgreementId}",
            "/api/log/checkpoint", $"/api/log/inclusion?entryHash={leaf.EntryHash}&treeSize={size}", $"/api/log/consistency?from=1&to={size}",
            $"/api/audit/entities/aeo-operator/{Aeo.Id}/bundle", $"/api/audit/entities/mra-agreement/{DemoScenario.AgreementId}/bundle", "/api/audit/log/bundle",
            "/api/operations/metrics",
        };
        var answered = 0;
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            answered += response.IsSuccessStatusCode ? 1 : 0;
            if (path.StartsWith("/api/partners", StringComparison.Ordinal))
            {
                // Where NL's data lives at JP: these must really answer, or the search proves nothing.
                Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
            }

            Assert.DoesNotContain(address, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Havenstraat", body, StringComparison.Ordinal);
        }

        // The shared view does name the field as withheld (its digest only): the test looks at real answers.
        var shared = JsonNode.Parse(await http.GetStringAsync($"/api/partners/NL/shared/aeo-operator/{Aeo.Id}"))!;
        Assert.Contains("address", shared["withheldFields"]!.AsArray().Select(f => (string?)f));
        Assert.True(answered >= 8, $"only {answered} endpoints answered 2xx");
        Row(12, "probing-withheld-fields", $"every GET endpoint of JP ({paths.Count} paths, {answered} answering 2xx) searched for the address NL's MRA withholds from JP", "never served",
            "not in any answer; the shared view lists it as withheld", "n/a (read-only)", "n/a (read-only)");
    }

    [Fact]
    public async Task UnauthenticatedAndUnderPrivilegedApiCalls_AreRefused_Counted_AndChangeNothing()
    {
        await QuietAsync();
        var nl = Node("NL");
        var before = await StoredState.TakeAsync(nl);
        var beforeAtJp = await StoredState.TakeAsync(Node("JP"));
        var unauthenticated = Refused("unauthenticated");
        var forbidden = Refused("forbidden");
        var certify = new { aeoNumber = "NLAEOF0000666", name = "Hostile B.V.", address = "Nowhere 1", programme = "AEOF", certifiedOn = "2026-01-01" };
        var suspend = new { reason = "hostile" };
        var stranger = new HttpClient { BaseAddress = Mesh.UrlOf("NL") };
        var unknownKey = new HttpClient { BaseAddress = Mesh.UrlOf("NL") };
        unknownKey.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "ApiKey " + Access.AccessKeyCommand.NewKey());
        var calls = new (HttpClient Client, string Who, string Path, object Body, HttpStatusCode Expected)[]
        {
            (stranger, "no credentials", "/api/aeo-operators", certify, HttpStatusCode.Unauthorized),
            (stranger, "no credentials", $"/api/aeo-operators/{Aeo.Id}/suspend", suspend, HttpStatusCode.Unauthorized),
            (unknownKey, "an unknown key", $"/api/aeo-operators/{Aeo.Id}/reinstate", suspend, HttpStatusCode.Unauthorized),
            (Mesh.Client("NL", Roles.Auditor), "NL's auditor", "/api/aeo-operators", certify, HttpStatusCode.Forbidden),
            (Mesh.Client("NL", Roles.Officer), "NL's officer", $"/api/aeo-operators/{Aeo.Id}/revoke", suspend, HttpStatusCode.Forbidden),
            (Mesh.Client("NL", Roles.Officer), "NL's officer", $"/api/mras/{DemoScenario.AgreementId}/terminate", suspend, HttpStatusCode.Forbidden),
            (Mesh.Client("NL", "JP"), "JP's system", $"/api/aeo-operators/{Aeo.Id}/reinstate", suspend, HttpStatusCode.Forbidden),
            (Mesh.Client("NL", "JP"), "JP's system", $"/api/shipments/{DemoScenario.Ucr}/release", suspend, HttpStatusCode.Forbidden),
        };
        foreach (var (client, who, path, body, expected) in calls)
        {
            using var response = await client.PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{who} POST {path}: {(int)response.StatusCode} {text}");
            var problem = JsonNode.Parse(text)!;
            Assert.Equal(expected == HttpStatusCode.Unauthorized ? Api.Problems.ApiProblems.Unauthenticated : Api.Problems.ApiProblems.Forbidden, (string?)problem["type"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        }

        foreach (var client in calls.Select(c => c.Client).Distinct())
        {
            client.Dispose();
        }

        Assert.Equal(unauthenticated + 3, Refused("unauthenticated"));
        Assert.Equal(forbidden + 5, Refused("forbidden"));
        await QuietAsync();
        Assert.Equal(before, await StoredState.TakeAsync(nl));
        Assert.Equal(beforeAtJp, await StoredState.TakeAsync(Node("JP")));
        Row(15, "unauthenticated-api-calls", "POSTs to NL's API: certify, suspend and reinstate without credentials or with an unknown key; certify as auditor; revoke an AEO and terminate the MRA as officer; reinstate and release as JP's system",
            "401 unauthenticated / 403 forbidden (ProblemDetails saying why)", "401 (x3), 403 naming the roles that may (x5)",
            "interconnect.api.refused{reason=unauthenticated} +3, {reason=forbidden} +5", "unchanged at NL and JP");
    }

    [Fact]
    public async Task PartnerProbingTheApi_IsRefusedOurRecords_AndVerificationShowsNoWithheldField()
    {
        await QuietAsync();
        var nl = Node("NL");
        var whole = (await nl.Store.Entities.ReadAsync(Aeo, 1, 1))[0];
        var address = whole.Fields.Single(f => f.Name == "address").Value;
        var forbidden = Refused("forbidden");
        using var jpSystem = Mesh.Client("NL", "JP");
        var size = await nl.Store.Log.GetSizeAsync();
        var leaf = (await nl.Store.Log.ReadAsync(0, 1))[0];
        string[] records =
        [
            "/api/aeo-operators", $"/api/aeo-operators/{Aeo.Id}", $"/api/ledger/aeo-operator/{Aeo.Id}", $"/api/ledger/aeo-operator/{Aeo.Id}/endorsements",
            "/api/shipments", $"/api/shipments/{DemoScenario.Ucr}", $"/api/ledger/shipment/{DemoScenario.Ucr}", "/api/mras", $"/api/mras/{DemoScenario.AgreementId}",
            "/api/partners", "/api/partners/JP/shared", "/api/mesh/alarms", "/api/operations/metrics",
            $"/api/audit/entities/aeo-operator/{Aeo.Id}/bundle", "/api/audit/log/bundle?from=2026-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
            $"/api/audit/activity/entities/aeo-operator/{Aeo.Id}?from=2026-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
        ];
        string[] open =
        [
            "/api/node", $"/api/verify/aeo/{Aeo.Id}", $"/api/verify/certificate/NL-PC-2026-000421?ucr={DemoScenario.Ucr}",
            "/api/log/checkpoint", $"/api/log/inclusion?entryHash={leaf.EntryHash}&treeSize={size}", $"/api/log/consistency?from=1&to={size}",
        ];
        foreach (var path in records)
        {
            using var response = await jpSystem.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"JP's system GET {path}: {(int)response.StatusCode}");
            Assert.DoesNotContain(address, body, StringComparison.Ordinal);
        }

        foreach (var path in open)
        {
            using var response = await jpSystem.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"JP's system GET {path}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain(address, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Havenstraat", body, StringComparison.Ordinal);
        }

        Assert.Equal(forbidden + records.Length, Refused("forbidden"));
        Row(16, "partner-probing-the-api", $"JP's system, signed in at NL as a partner, asking {records.Length + open.Length} GET endpoints for NL's AEO, whose address NL's MRA withholds from JP",
            "our records refused (403); verification, proofs and node facts without any withheld field",
            $"403 on all {records.Length} record endpoints; the {open.Length} open ones answered 2xx without the address",
            $"interconnect.api.refused{{reason=forbidden,role=partner}} +{records.Length}", "n/a (read-only)");
    }

    private long Refused(string reason) => Meter.Total(Telemetry("NL"), MetricNames.ApiRefused, $"{MetricNames.ReasonTag}={reason}");

    private static Dictionary<string, string> Reinstated(string number = DemoScenario.AeoNumber) =>
        new() { ["aeoNumber"] = number, ["status"] = "certified", ["reason"] = "reinstated by a hostile sender" };

    private static Dictionary<string, string> Suspended(string number) =>
        new() { ["aeoNumber"] = number, ["status"] = "suspended", ["reason"] = "audit" };

    private static string WithoutPartner(string state, string partner) =>
        string.Join('\n', state.Split('\n').Where(l => !l.StartsWith($"partner {partner}:", StringComparison.Ordinal)));

    private static void Row(int order, string name, string input, string expected, string observed, string counted, string stored = "unchanged") =>
        new HostileRow(order, name, input, expected, observed, counted, stored).Write();
}
