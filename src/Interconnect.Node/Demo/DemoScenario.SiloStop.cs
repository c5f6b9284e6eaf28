using System.Globalization;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Log;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Shipments;
using Interconnect.Node.Configuration;
using Interconnect.Node.Replication;
using Orleans.Runtime.Placement;

namespace Interconnect.Node.Demo;

/// <summary>The scenario's last act, when each administration runs several silos: one of NL's stops and its grains move.</summary>
public sealed partial class DemoScenario
{
    /// <summary>The AEO operator NL certifies once a silo has stopped.</summary>
    public const string LaterAeoNumber = "NLAEOF0000456";

    /// <summary>
    /// Shows which of NL's silos holds each of the scenario's grains, stops the silo that holds the
    /// AEO operator (gracefully, as a rolling restart does), calls the operator from a silo that still
    /// runs and checks it answers from one of those with the same state, folded again from the shared
    /// store, then certifies another operator at NL and waits for JP to receive it. Returns the silo it
    /// stopped. Needs two silos or more; the steps number on from <see cref="RunAsync"/>'s.
    /// </summary>
    public async Task<int> StopAeoSiloAsync()
    {
        if (mesh.Silos < 2)
        {
            throw new InvalidOperationException("Stopping a silo needs an administration with two silos or more.");
        }

        Step($"8. NL's node is {mesh.Silos} silos of one Orleans cluster over one store; where the scenario's grains are active:");
        for (var silo = 1; silo <= mesh.Silos; silo++)
        {
            var role = silo == 1 ? "the primary, which the others joined" : "joined silo 1";
            Say($"   silo {silo}: {mesh.UrlOf("NL", silo)}, cluster endpoint {mesh.Service<ILocalSiloDetails>("NL", silo).SiloAddress.Endpoint} ({role})");
        }

        var nl = Node("NL");
        var aeo = nl.Grains.GetGrain<IAeoOperatorGrain>(AeoNumber);
        (string What, IAddressable Grain)[] grains =
        [
            ("AEO operator " + AeoNumber, aeo),
            ("MRA " + AgreementId, nl.Grains.GetGrain<IMraAgreementGrain>(AgreementId)),
            ("shipment " + Ucr, nl.Grains.GetGrain<IShipmentGrain>(Ucr)),
            ("NL's Merkle log", nl.Grains.GetGrain<INodeLogGrain>("NL")),
            .. mesh.Administrations.Where(a => a != "NL").Select(partner => ("NL's link to " + partner, (IAddressable)nl.Grains.GetGrain<IPartnerLinkGrain>(partner))),
        ];
        foreach (var (what, grain) in grains)
        {
            Say($"   {what,-36} {Describe(await SiloOfAsync(grain).ConfigureAwait(false))}");
        }

        var holder = await SiloOfAsync(aeo).ConfigureAwait(false) ?? throw new InvalidOperationException($"Demo check failed: the AEO operator {AeoNumber} is active on none of NL's silos.");
        Require(holder != 1, $"the AEO operator must be on a silo other than the primary (step 3 placed it on silo {mesh.Silos})");
        Say($"   (step 3 placed the AEO operator on silo {mesh.Silos} with an Orleans placement hint: silo 1 must stay, as development clustering keeps the membership table in its memory)");
        var before = await aeo.GetState().ConfigureAwait(false);

        Step($"9. NL's silo {holder} stops gracefully, as in a rolling restart: its activations deactivate; the store and the other silos stay");
        var started = TimeProvider.System.GetTimestamp();
        await mesh.StopSiloAsync("NL", holder).ConfigureAwait(false);
        var running = Enumerable.Range(1, mesh.Silos).Where(s => mesh.IsRunning("NL", s)).ToList();
        Say($"   silo {holder} stopped in {Ms(TimeProvider.System.GetElapsedTime(started))}; running: silo {string.Join(", ", running)}");

        // From the last silo still running: Orleans tends to place a new activation on the calling silo, so
        // with three silos or more the operator shows up on one that is not the primary.
        var caller = running[^1];
        Step($"10. The AEO operator is called from silo {caller}: Orleans activates it on a running silo, which folds its ledger from the store again");
        started = TimeProvider.System.GetTimestamp();
        var after = await Node("NL", caller).Grains.GetGrain<IAeoOperatorGrain>(AeoNumber).GetState().ConfigureAwait(false);
        var took = TimeProvider.System.GetElapsedTime(started);
        var host = await SiloOfAsync(aeo).ConfigureAwait(false);
        Say($"   it answered after {Ms(took)}, active now on {Describe(host)}: status {after.Status}, entry {after.Sequence}, last entry hash {Short(after.LastEntryHash)}");
        Say($"   before the stop, on silo {holder}: status {before.Status}, entry {before.Sequence}, last entry hash {Short(before.LastEntryHash)}");
        Require(host is { } h && h != holder && mesh.IsRunning("NL", h), "the AEO operator must be active on a running silo");
        Require(after == before, "the AEO operator must have the same state after the move");

        Step($"11. NL certifies AEO operator {LaterAeoNumber} after the stop; replication to JP goes on");
        using (As("NL", Roles.Officer))
        {
            await Node("NL", caller).Grains.GetGrain<IAeoOperatorGrain>(LaterAeoNumber).Certify(new CertifyAeoOperator(
                "Delft Forwarding B.V.", "Kanaalweg 7, 2628 Delft", "AEOS", new DateOnly(2026, 3, 2), new DateOnly(2029, 3, 1))).ConfigureAwait(false);
        }

        took = await DemoMesh.WaitForAsync(async () => (await Shared("JP", "NL", AeoOperatorGrain.EntityKind, LaterAeoNumber).ConfigureAwait(false)) is not null, Deadline, "the later AEO at JP").ConfigureAwait(false);
        var link = await SiloOfAsync(Node("NL", caller).Grains.GetGrain<IPartnerLinkGrain>("JP")).ConfigureAwait(false);
        Say($"   JP holds {LaterAeoNumber} after {Ms(took)}: status {(await Shared("JP", "NL", AeoOperatorGrain.EntityKind, LaterAeoNumber).ConfigureAwait(false))!.Fields["status"]}, sent by NL's link to JP on {Describe(link)}");
        return holder;
    }

    /// <summary>The number of NL's silo that holds <paramref name="grain"/>'s activation, as Orleans' grain directory has it; null when none does.</summary>
    public async Task<int?> SiloOfAsync(IAddressable grain)
    {
        var management = mesh.Service<IGrainFactory>("NL").GetGrain<IManagementGrain>(0);
        return mesh.SiloAt("NL", await management.GetActivationAddress(grain).ConfigureAwait(false));
    }

    // With several silos, step 3 activates NL's AEO operator on NL's last silo (an Orleans placement
    // hint), so the silo this act stops is not silo 1: development clustering keeps the membership table
    // in the primary's memory, and without it the others cannot record a departure, their own or another's.
    private PlacementHint? OnLastSilo(string administration) =>
        mesh.Silos == 1 ? null : new PlacementHint(mesh.Service<ILocalSiloDetails>(administration, mesh.Silos).SiloAddress);

    private static string Describe(int? silo) => silo is { } s ? "silo " + s.ToString(CultureInfo.InvariantCulture) : "no silo (not active)";

    private static string Short(string? hash) => hash is { Length: > 16 } ? hash[..16] + "…" : hash ?? "(none)";

    private Hosting.AdministrationNode Node(string administration, int silo) => mesh.Service<Hosting.AdministrationNode>(administration, silo);

    // Places the activations the calls in its scope create on one silo (if it is compatible), and the
    // calls those make in turn; other placements are Orleans' own.
    private sealed class PlacementHint : IDisposable
    {
        public PlacementHint(SiloAddress silo) => RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);

        public void Dispose() => RequestContext.Remove(IPlacementDirector.PlacementHintKey);
    }
}
