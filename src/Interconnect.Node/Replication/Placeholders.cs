// Compile-only shells, replaced by the replication engine before this branch merges.
using Interconnect.Contracts;
using Interconnect.Grains.MraAgreements;
using Interconnect.Node.Mesh;
using Interconnect.Storage;
using MassTransit;

namespace Interconnect.Node.Replication;

internal sealed class MeshAlarms;

internal sealed class AgreementBook;

internal sealed class InboundReceiver;

internal sealed class PartnerReplicator : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
}

internal sealed class MeshQueries : IMeshQueries
{
    public IReadOnlyList<MeshAlarm> Alarms => [];

    public Task<IReadOnlyList<EntryEndorsement>> GetEndorsementsAsync(EntityKey entity, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<PartnerLinkStatus>> GetLinksAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<SharedEntityView?> GetSharedAsync(string partner, string kind, string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<SharedEntityView>> ListSharedAsync(string partner, string? kind, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

internal sealed class MeshCommands : IMeshCommands
{
    public Task<MraAgreementView> AcceptMraAsync(string agreementId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task RespondToShipmentAsync(string origin, string consignmentReference, bool accepted, string? reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

internal sealed class PartnerMessagesConsumer : IConsumer<ReplicateEntries>
{
    public Task Consume(ConsumeContext<ReplicateEntries> context) => Task.CompletedTask;
}
