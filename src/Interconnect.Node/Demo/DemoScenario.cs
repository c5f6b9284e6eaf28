using System.Globalization;
using System.Security.Cryptography;
using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;

namespace Interconnect.Node.Demo;

/// <summary>
/// The scripted scenario: an MRA proposed and accepted; an AEO certified in one country and seen by
/// the partner under the policy's fields only; a suspension propagating; a shipment with a
/// phytosanitary certificate sent, delivered and accepted; the certificate replaced; a forged entry
/// rejected. Each step waits for the partner to see the result and prints how long it took. When
/// the administrations run several silos, a last act stops one of NL's (DemoScenario.SiloStop.cs).
/// </summary>
public sealed partial class DemoScenario(DemoMesh mesh, TextWriter output)
{
    /// <summary>The agreement the scenario sets up.</summary>
    public const string AgreementId = "MRA-NL-JP-2026";

    /// <summary>The AEO operator certified in NL.</summary>
    public const string AeoNumber = "NLAEOF0000123";

    /// <summary>The consignment sent from NL to JP.</summary>
    public const string Ucr = "6NL123456789-2026-0001";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Runs every step; throws if the mesh does not behave.</summary>
    public async Task RunAsync()
    {
        var nl = Node("NL");
        var jp = Node("JP");

        await EstablishAgreementAsync().ConfigureAwait(false);

        TimeSpan took;
        Step("3. NL certifies AEO operator " + AeoNumber + "; JP sees it under the policy's fields only; BE (no MRA) sees nothing");
        using (As("NL", Roles.Officer))
        using (OnLastSilo("NL"))
        {
            await nl.Grains.GetGrain<IAeoOperatorGrain>(AeoNumber).Certify(new CertifyAeoOperator(
                "Tulip Logistics B.V.", "Havenstraat 1, 3011 Rotterdam", "AEOF", new DateOnly(2026, 1, 15), new DateOnly(2029, 1, 14))).ConfigureAwait(false);
        }

        var certified = (await nl.Store.Entities.ReadAsync(new("NL", AeoOperatorGrain.EntityKind, AeoNumber), 1, 1).ConfigureAwait(false))[0];
        Say($"   NL's signed entry records who acted: {certified[Actor.IdField]} ({certified[Actor.RoleField]}); no MRA policy discloses it to JP");
        took = await DemoMesh.WaitForAsync(async () => (await Shared("JP", "NL", AeoOperatorGrain.EntityKind, AeoNumber).ConfigureAwait(false)) is not null, Deadline, "the AEO at JP").ConfigureAwait(false);
        var atJp = (await Shared("JP", "NL", AeoOperatorGrain.EntityKind, AeoNumber).ConfigureAwait(false))!;
        Say($"   JP holds {AeoNumber} after {Ms(took)}: status {atJp.Fields["status"]}, name \"{atJp.Fields["name"]}\"");
        Say($"   fields JP can read: {string.Join(", ", atJp.Fields.Keys)}");
        Say($"   fields withheld from JP (digests only): {string.Join(", ", atJp.WithheldFields)}");
        Require(!atJp.Fields.ContainsKey("address"), "the address must not reach JP");
        Require(await Shared("BE", "NL", AeoOperatorGrain.EntityKind, AeoNumber).ConfigureAwait(false) is null, "BE must not receive the AEO");
        Say("   BE holds nothing of it");
        await DemoMesh.WaitForAsync(
            async () => (await Service<IMeshQueries>("NL").GetEndorsementsAsync(new("NL", AeoOperatorGrain.EntityKind, AeoNumber)).ConfigureAwait(false)).All(e => e.Recognized),
            Deadline,
            "JP's endorsement").ConfigureAwait(false);
        Say("   JP's signed endorsement is recorded at NL: the certification is recognized under the MRA's quorum of 1");

        Step("4. NL suspends the AEO; the suspension reaches JP");
        using (As("NL", Roles.Officer))
        {
            await nl.Grains.GetGrain<IAeoOperatorGrain>(AeoNumber).Suspend(new SuspendAeoCertification("Security audit findings, case 2026-118")).ConfigureAwait(false);
        }

        took = await DemoMesh.WaitForAsync(async () => (await Shared("JP", "NL", AeoOperatorGrain.EntityKind, AeoNumber).ConfigureAwait(false))?.Fields["status"] == "suspended", Deadline, "the suspension at JP").ConfigureAwait(false);
        Say($"   JP sees status suspended after {Ms(took)} (reason: {(await Shared("JP", "NL", AeoOperatorGrain.EntityKind, AeoNumber).ConfigureAwait(false))!.Fields["reason"]})");

        Step("5. NL declares shipment " + Ucr + " to JP with a phytosanitary certificate and sends it; JP receives, endorses and accepts it");
        var shipment = nl.Grains.GetGrain<IShipmentGrain>(Ucr);
        using (As("NL", Roles.Officer))
        {
            await shipment.Declare(new DeclareShipment("NL", "JP", "Tulip Logistics B.V.", "Sakura Flowers K.K.")).ConfigureAwait(false);
            await shipment.AttachDocument(new AttachShipmentDocument("phytosanitary-certificate", "NL-PC-2026-000417", new DateOnly(2026, 11, 18), Digest("certificate v1"))).ConfigureAwait(false);
            await shipment.MarkPreArrivalSent(new SendPreArrivalData()).ConfigureAwait(false);
        }

        took = await DemoMesh.WaitForAsync(
            async () => (await shipment.GetState().ConfigureAwait(false)).DeliveryTo("JP")?.State == DeliveryState.Delivered,
            Deadline,
            "delivery of the shipment at JP").ConfigureAwait(false);
        var atJpShipment = (await Shared("JP", "NL", ShipmentGrain.EntityKind, Ucr).ConfigureAwait(false))!;
        Say($"   delivered to JP after {Ms(took)}: JP holds entries 1 to {atJpShipment.Sequence} (the earlier ones fetched to fill the gap)");
        using (As("JP", Roles.Officer))
        {
            await Service<IMeshCommands>("JP").RespondToShipmentAsync("NL", Ucr, accepted: true, reason: null).ConfigureAwait(false);
        }

        took = await DemoMesh.WaitForAsync(
            async () => (await shipment.GetState().ConfigureAwait(false)).DeliveryTo("JP")?.Decision == BusinessDecision.Accepted,
            Deadline,
            "JP's business response").ConfigureAwait(false);
        Say($"   JP's signed business response \"accepted\" recorded at NL after {Ms(took)}");

        Step("6. NL replaces the certificate; JP sees the replacement");
        using (As("NL", Roles.Officer))
        {
            await shipment.ReplaceDocument(new ReplaceShipmentDocument("NL-PC-2026-000417", "NL-PC-2026-000421", new DateOnly(2026, 11, 19), Digest("certificate v2"), "Corrected quantity")).ConfigureAwait(false);
        }

        took = await DemoMesh.WaitForAsync(
            async () => (await Shared("JP", "NL", ShipmentGrain.EntityKind, Ucr).ConfigureAwait(false))?.Fields.GetValueOrDefault("replaces") == "NL-PC-2026-000417",
            Deadline,
            "the replacement at JP").ConfigureAwait(false);
        Say($"   JP holds certificate NL-PC-2026-000421 replacing NL-PC-2026-000417 after {Ms(took)}");

        Step("7. A forged entry claiming to be NL's, signed with a key NL never had, is sent to JP");
        var before = Service<IMeshQueries>("JP").RejectionsByReason.GetValueOrDefault("bad-signature");
        await SendForgeryAsync(jp).ConfigureAwait(false);
        await DemoMesh.WaitForAsync(() => Task.FromResult(Service<IMeshQueries>("JP").RejectionsByReason.GetValueOrDefault("bad-signature") > before), Deadline, "the forgery's rejection").ConfigureAwait(false);
        var stillSuspended = (await Shared("JP", "NL", AeoOperatorGrain.EntityKind, AeoNumber).ConfigureAwait(false))!.Fields["status"];
        Require(stillSuspended == "suspended", "the forgery must not change what JP holds");
        Say($"   JP rejected it with a signed reason (bad-signature) and still holds {AeoNumber} as {stillSuspended}");
    }

    /// <summary>Steps 1 and 2: NL proposes the MRA, JP accepts, and both see it in force.</summary>
    public async Task EstablishAgreementAsync()
    {
        var nl = Node("NL");
        Step("1. NL proposes MRA " + AgreementId + " with JP; JP receives AEO name, programme, status and validity (not the address)");
        var aeoFields = new[] { "aeoNumber", "name", "programme", "status", "certifiedOn", "validUntil", "reason", "effectiveAt" };
        var shipmentFields = new[] { "ucr", "status", "exportingAdministration", "importingAdministration", "consignor", "consignee", "documentType", "number", "issuedOn", "contentDigest", "replaces", "reason", "remarks", "partner", "deliveryState", "warnings", "decision" };
        using var proposer = As("NL", Roles.Supervisor);
        await nl.Grains.GetGrain<IMraAgreementGrain>(AgreementId).Propose(new ProposeMraAgreement(
            "Netherlands-Japan AEO mutual recognition",
            ["NL", "JP"],
            ["AEOF", "AEOS"],
            ["phytosanitary-certificate", "certificate-of-origin"],
            [
                new DataSharingPolicy("NL", [new SharedEntityKind(AeoOperatorGrain.EntityKind, aeoFields)]),
                new DataSharingPolicy("JP", [new SharedEntityKind(AeoOperatorGrain.EntityKind, aeoFields), new SharedEntityKind(ShipmentGrain.EntityKind, shipmentFields)]),
            ],
            EndorsementQuorum: 1)).ConfigureAwait(false);
        var took = await DemoMesh.WaitForAsync(async () => (await Shared("JP", "NL", MraAgreementGrain.EntityKind, AgreementId).ConfigureAwait(false)) is not null, Deadline, "the proposal at JP").ConfigureAwait(false);
        Say($"   the proposal reached JP in {Ms(took)}");

        Step("2. JP accepts; NL records JP's signed acceptance and the agreement enters into force on both sides");
        using (As("JP", Roles.Supervisor))
        {
            await Service<IMeshCommands>("JP").AcceptMraAsync(AgreementId).ConfigureAwait(false);
        }

        took = await DemoMesh.WaitForAsync(
            async () => (await nl.Grains.GetGrain<IMraAgreementGrain>(AgreementId).GetState().ConfigureAwait(false)).Status == MraStatus.InForce
                && (await Shared("JP", "NL", MraAgreementGrain.EntityKind, AgreementId).ConfigureAwait(false))?.Fields.GetValueOrDefault("status") == "in-force",
            Deadline,
            "the MRA in force").ConfigureAwait(false);
        Say($"   in force at NL and seen in force at JP after {Ms(took)}");
    }

    private async Task SendForgeryAsync(AdministrationNode target)
    {
        using var rogue = EcdsaP256Signer.Generate();
        var nlNode = Node("NL");
        var head = await nlNode.Store.Entities.GetHeadAsync(new("NL", AeoOperatorGrain.EntityKind, AeoNumber)).ConfigureAwait(false);
        var payload = SealedPayload.Seal(new Dictionary<string, string> { ["aeoNumber"] = AeoNumber, ["status"] = "reinstated", ["reason"] = "forged" });
        var body = new EntryBody(
            "NL", AeoOperatorGrain.EntityKind, AeoNumber, head!.LastSequence + 1, head.LastHash, EntryBody.TruncateToMicros(nlNode.Time.GetUtcNow()),
            "aeo.reinstated", payload.Commitments, nlNode.Signer.KeyId, rogue.Algorithm);
        // Signed with the rogue key under NL's key id: the signature cannot verify with NL's real key.
        var forged = new DisclosedEntry(new LedgerEntry(body, rogue.Sign(body.SigningInput)), payload.Fields);
        // Whoever forged it would have to get it onto the link; here it travels NL's own link to JP.
        await Service<IPartnerChannel>("NL").SendAsync(target.Id, new ReplicateEntityRange("NL", target.Id, AeoOperatorGrain.EntityKind, AeoNumber, [WireCodec.ToWire(forged)])).ConfigureAwait(false);
    }

    // The scenario acts as the demo's principals, so its entries record who acted as the API's would.
    private static IDisposable As(string administration, string role) => Actor.Enter(new Actor(DemoMesh.PrincipalId(administration, role), role));

    private AdministrationNode Node(string administration) => mesh.Service<AdministrationNode>(administration);

    private T Service<T>(string administration)
        where T : notnull => mesh.Service<T>(administration);

    private Task<SharedEntityView?> Shared(string at, string origin, string kind, string id) =>
        Service<IMeshQueries>(at).GetSharedAsync(origin, kind, id);

    private void Step(string text) => output.WriteLine(Environment.NewLine + text);

    private void Say(string text) => output.WriteLine(text);

    private static string Ms(TimeSpan took) => took.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private static string Digest(string content) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Demo check failed: " + what);
        }
    }
}
