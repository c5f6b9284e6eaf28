using Interconnect.Node.Transport;
using MassTransit;

namespace Interconnect.Node.Tests;

public sealed class InMemoryMeshTests
{
    // Real in-memory buses, never started: the directory only holds and hands them out.
    private readonly IBusControl _first = Bus.Factory.CreateUsingInMemory(_ => { });
    private readonly IBusControl _second = Bus.Factory.CreateUsingInMemory(_ => { });

    [Fact]
    public void Find_GivesTheSiloThatJoinedFirst_UntilItLeaves()
    {
        var mesh = new InMemoryMesh();
        mesh.Join("NL", _first);
        mesh.Join("NL", _second);
        mesh.Join("NL", _first);

        Assert.Same(_first, mesh.Find("NL"));
        Assert.Equal(2, mesh.RunningSilos("NL"));

        mesh.Leave("NL", _first);

        Assert.Same(_second, mesh.Find("NL"));
        Assert.Equal(1, mesh.RunningSilos("NL"));
    }

    [Fact]
    public void Leave_OfTheLastSilo_MakesThePartnerUnreachable_AndTouchesNoOtherAdministration()
    {
        var mesh = new InMemoryMesh();
        mesh.Join("NL", _first);
        mesh.Join("JP", _second);

        mesh.Leave("NL", _first);
        mesh.Leave("NL", _second);

        Assert.Null(mesh.Find("NL"));
        Assert.Equal(0, mesh.RunningSilos("NL"));
        Assert.Same(_second, mesh.Find("JP"));
        Assert.Null(mesh.Find("BE"));
    }
}
