using System.Collections.Concurrent;
using System.Collections.Immutable;
using MassTransit;

namespace Interconnect.Node.Transport;

/// <summary>
/// The nodes of one process on the in-memory transport (the demo): every running silo's bus, by
/// administration, so a node can hand a message to a partner's inbound queue. A silo that stops leaves
/// the directory and its administration's other silos stay; when none runs, messages for it wait in the
/// sender's ledger, as they would for an unreachable broker.
/// </summary>
public sealed class InMemoryMesh
{
    private readonly ConcurrentDictionary<string, ImmutableArray<IBus>> _buses = new(StringComparer.Ordinal);

    /// <summary>Registers a started bus of one of <paramref name="administrationId"/>'s silos.</summary>
    public void Join(string administrationId, IBus bus) =>
        _buses.AddOrUpdate(administrationId, [bus], (_, buses) => buses.Contains(bus) ? buses : buses.Add(bus));

    /// <summary>Removes the bus of one of <paramref name="administrationId"/>'s silos (that silo stopped).</summary>
    public void Leave(string administrationId, IBus bus) =>
        _buses.AddOrUpdate(administrationId, [], (_, buses) => buses.Remove(bus));

    /// <summary>
    /// The bus of the partner's silo that joined first and is still running, if any. Every message for
    /// the partner goes to that one silo until it stops, so its inbound endpoint, which takes one message
    /// at a time, sees each origin's messages in the order they were sent.
    /// </summary>
    public IBus? Find(string administrationId) =>
        _buses.TryGetValue(administrationId, out var buses) && !buses.IsEmpty ? buses[0] : null;

    /// <summary>How many of <paramref name="administrationId"/>'s silos are in the directory.</summary>
    public int RunningSilos(string administrationId) =>
        _buses.TryGetValue(administrationId, out var buses) ? buses.Length : 0;
}
