using Microsoft.Extensions.Hosting;

namespace Interconnect.Node.Transport.Tests;

/// <summary>
/// A fresh virtual host for NL and one for BE on the test broker, and the hosts a test starts on
/// them; everything is stopped and deleted after the test.
/// </summary>
public abstract class NlAndBeBrokers : IAsyncLifetime
{
    /// <summary>Hosts the test started; stopped and disposed after it.</summary>
    protected List<IHost> Hosts { get; } = [];

    /// <summary>NL's virtual host.</summary>
    protected TestVirtualHost Nl { get; private set; } = null!;

    /// <summary>BE's virtual host.</summary>
    protected TestVirtualHost Be { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Nl = await TestBroker.CreateVirtualHostAsync("NL");
        Be = await TestBroker.CreateVirtualHostAsync("BE");
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await Nl.DisposeAsync();
        await Be.DisposeAsync();
    }
}
