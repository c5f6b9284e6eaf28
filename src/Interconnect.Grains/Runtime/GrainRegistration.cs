using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Shipments;

namespace Interconnect.Grains.Runtime;

/// <summary>Registers the customs grains of one administration on a runtime.</summary>
public static class GrainRegistration
{
    /// <summary>Registers the AEO operator, MRA agreement and shipment grains, all acting for <paramref name="administration"/>.</summary>
    public static GrainRuntime AddInterconnectGrains(this GrainRuntime runtime, AdministrationContext administration)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(administration);
        return runtime
            .Register<IAeoOperatorGrain>(_ => new AeoOperatorGrain(administration))
            .Register<IMraAgreementGrain>(_ => new MraAgreementGrain(administration))
            .Register<IShipmentGrain>(_ => new ShipmentGrain(administration));
    }
}
