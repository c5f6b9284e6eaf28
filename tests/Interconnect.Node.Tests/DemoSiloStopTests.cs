using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Storage;
using Orleans.Runtime.Placement;

namespace Interconnect.Node.Tests;

/// <summary>NL, JP and BE as two silos each (the demo's <c>--silos 2</c>): a silo that stops takes its grains' activations with it, not their state, and NL's replication goes on.</summary>
public sealed class DemoSiloStopTests : IAsyncLifetime
{
    private const string Aeo = "NLAEOF0000777";
    private const string LaterAeo = "NLAEOF0000778";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private DemoMesh _mesh = null!;

    public async Task InitializeAsync() =>
        _mesh = await DemoMesh.StartAsync(["NL", "JP", "BE"], FreePorts.Consecutive(DemoMesh.LastPort(0, 3, 2) + 1), silos: 2);

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task StoppingTheSiloThatHoldsAnAeo_TheOtherSiloAnswersWithTheSameState_AndNewEntriesStillReachJp()
    {
        await new DemoScenario(_mesh, TextWriter.Null).EstablishAgreementAsync();
        var aeo = Nl(2).Grains.GetGrain<IAeoOperatorGrain>(Aeo);
        using (Actor.Enter(new Actor(DemoMesh.PrincipalId("NL", Roles.Officer), Roles.Officer)))
        {
            // Activated on silo 2: silo 1 is the primary of development clustering, which must stay.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, SiloAddressOf(2));
            await aeo.Certify(new CertifyAeoOperator("Tulip Logistics B.V.", "Havenstraat 1, 3011 Rotterdam", "AEOF", new DateOnly(2026, 1, 15), null));
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            await aeo.Suspend(new SuspendAeoCertification("Security audit findings"));
        }

        Assert.Equal(SiloAddressOf(2), await ActivationAddressAsync(aeo));
        var before = await aeo.GetState();
        Assert.Equal(AeoStatus.Suspended, before.Status);
        await WaitForAtJpAsync(Aeo, "suspended");

        await _mesh.StopSiloAsync("NL", 2);

        Assert.False(_mesh.IsRunning("NL", 2));
        Assert.Equal(1, _mesh.Mesh.RunningSilos("NL"));
        var after = await Nl(1).Grains.GetGrain<IAeoOperatorGrain>(Aeo).GetState();
        Assert.Equal(before, after);
        Assert.Equal(SiloAddressOf(1), await ActivationAddressAsync(aeo));
        var head = await Nl(1).Store.Entities.GetHeadAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, Aeo));
        Assert.Equal(head!.LastHash.ToString(), after.LastEntryHash);

        using (Actor.Enter(new Actor(DemoMesh.PrincipalId("NL", Roles.Officer), Roles.Officer)))
        {
            await Nl(1).Grains.GetGrain<IAeoOperatorGrain>(LaterAeo).Certify(
                new CertifyAeoOperator("Delft Forwarding B.V.", "Kanaalweg 7, 2628 Delft", "AEOS", new DateOnly(2026, 3, 2), null));
        }

        await WaitForAtJpAsync(LaterAeo, "certified");
        // JP's endorsement comes back over the in-memory transport to the NL silo that still runs.
        await DemoMesh.WaitForAsync(
            async () => await _mesh.Service<IMeshQueries>("NL").GetEndorsementsAsync(new EntityKey("NL", AeoOperatorGrain.EntityKind, LaterAeo)) is { Count: > 0 } endorsements
                && endorsements.All(e => e.Recognized),
            Deadline,
            "JP's endorsement of the later AEO at NL");
    }

    [Fact]
    public async Task DemoAct_StopsTheAeoSilo_AndPrintsTheMoveAndTheReplication()
    {
        using var output = new StringWriter();
        var scenario = new DemoScenario(_mesh, output);
        await scenario.RunAsync();

        var stopped = await scenario.StopAeoSiloAsync();

        Assert.Equal(2, stopped);
        Assert.False(_mesh.IsRunning("NL", 2));
        var text = output.ToString();
        Assert.Contains("silo 2 stopped in", text, StringComparison.Ordinal);
        Assert.Contains("active now on silo 1", text, StringComparison.Ordinal);
        Assert.Contains($"JP holds {DemoScenario.LaterAeoNumber} after", text, StringComparison.Ordinal);
        Assert.Equal(1, await scenario.SiloOfAsync(Nl(1).Grains.GetGrain<IAeoOperatorGrain>(DemoScenario.AeoNumber)));
        Assert.Equal("certified", (await _mesh.Service<IMeshQueries>("JP").GetSharedAsync("NL", AeoOperatorGrain.EntityKind, DemoScenario.LaterAeoNumber))?.Fields["status"]);
    }

    private AdministrationNode Nl(int silo) => _mesh.Service<AdministrationNode>("NL", silo);

    private SiloAddress SiloAddressOf(int silo) => _mesh.Service<ILocalSiloDetails>("NL", silo).SiloAddress;

    // Where Orleans' grain directory has the grain's activation, asked from a silo that runs.
    private async Task<SiloAddress?> ActivationAddressAsync(IAddressable grain) =>
        await _mesh.Service<IGrainFactory>("NL").GetGrain<IManagementGrain>(0).GetActivationAddress(grain);

    private Task<TimeSpan> WaitForAtJpAsync(string aeoNumber, string status) =>
        DemoMesh.WaitForAsync(
            async () => (await _mesh.Service<IMeshQueries>("JP").GetSharedAsync("NL", AeoOperatorGrain.EntityKind, aeoNumber))?.Fields.GetValueOrDefault("status") == status,
            Deadline,
            $"{aeoNumber} {status} at JP");
}
