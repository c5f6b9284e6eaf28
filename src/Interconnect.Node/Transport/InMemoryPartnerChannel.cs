using Interconnect.Node.Mesh;
using MassTransit;

namespace Interconnect.Node.Transport;

/// <summary>Hands messages straight to a partner's inbound queue on its in-memory bus (nodes in one process).</summary>
public sealed class InMemoryPartnerChannel(InMemoryMesh mesh) : IPartnerChannel
{
    /// <inheritdoc />
    public async Task SendAsync<T>(string partner, T message, CancellationToken cancellationToken = default)
        where T : class
    {
        var bus = mesh.Find(partner) ?? throw new PartnerUnreachableException($"{partner}'s node is not running.");
        var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + QueueNames.Inbound(partner))).ConfigureAwait(false);
        await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public bool IsConnected(string partner) => mesh.Find(partner) is not null;
}
