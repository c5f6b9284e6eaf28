using Interconnect.Contracts;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Replication;

namespace Interconnect.Node.Tests;

/// <summary>
/// A partner's stream reaches its inbound grain from whichever silo took each message off the
/// queue, so the next message can arrive before the one it follows: it is held, not dropped.
/// </summary>
public sealed class PartnerInboundGrainTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private DemoMesh _mesh = null!;

    public async Task InitializeAsync() => _mesh = await DemoMesh.StartAsync(["NL", "JP"], FreePorts.Consecutive(2));

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task MessageAheadOfItsPredecessor_IsHeldAndAppliedAfterIt()
    {
        var jp = _mesh.Service<AdministrationNode>("JP");
        var nlLog = await _mesh.Service<AdministrationNode>("NL").Log.SizeAsync();
        await DemoMesh.WaitForAsync(async () => await ReceivedAsync(jp) >= nlLog, Deadline, "JP to hold NL's stream so far");
        var from = await ReceivedAsync(jp);
        var inbound = jp.Grains.GetGrain<IPartnerInboundGrain>("NL");

        // The second message first, as a silo that took it off the queue would hand it over.
        await inbound.Receive(new ReplicateEntries("NL", "JP", from + 10, from + 20, [], null, null, 0));
        Assert.Equal(from, await ReceivedAsync(jp));
        await inbound.Receive(new ReplicateEntries("NL", "JP", from, from + 10, [], null, null, 0));

        Assert.Equal(from + 20, await ReceivedAsync(jp));
    }

    private static async Task<long> ReceivedAsync(AdministrationNode jp) => (await jp.StreamFromAsync("NL")).ReceivedThrough;
}
