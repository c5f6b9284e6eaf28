using MassTransit;

namespace Interconnect.Node.Transport;

/// <summary>Puts this silo's in-memory bus in the process's mesh directory while it runs.</summary>
internal sealed class InMemoryMeshMembership(InMemoryMesh mesh, Hosting.AdministrationNode node, IBus bus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        mesh.Join(node.Id, bus);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        mesh.Leave(node.Id, bus);
        return Task.CompletedTask;
    }
}
