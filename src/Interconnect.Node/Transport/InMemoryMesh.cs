using System.Collections.Concurrent;
using MassTransit;

namespace Interconnect.Node.Transport;

/// <summary>
/// The nodes of one process on the in-memory transport (the demo): each administration's bus, so a
/// node can hand a message to a partner's inbound queue. A node that stops leaves the directory;
/// messages for it then wait in the sender's ledger, as they would for an unreachable broker.
/// </summary>
public sealed class InMemoryMesh
{
    private readonly ConcurrentDictionary<string, IBus> _buses = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="administrationId"/>'s started bus.</summary>
    public void Join(string administrationId, IBus bus) => _buses[administrationId] = bus;

    /// <summary>Removes <paramref name="administrationId"/> (its node stopped).</summary>
    public void Leave(string administrationId, IBus bus) => _buses.TryRemove(new KeyValuePair<string, IBus>(administrationId, bus));

    /// <summary>The partner's bus, if its node is running.</summary>
    public IBus? Find(string administrationId) => _buses.TryGetValue(administrationId, out var bus) ? bus : null;
}
