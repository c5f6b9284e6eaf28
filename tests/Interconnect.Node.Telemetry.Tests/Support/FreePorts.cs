using System.Net;
using System.Net.Sockets;

namespace Interconnect.Node.Telemetry.Tests.Support;

/// <summary>Loopback ports for the demo mesh, which wants consecutive ones.</summary>
public static class FreePorts
{
    public static int Consecutive(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Random.Shared.Next(21000, 59000);
            if (Enumerable.Range(first, count).All(Free))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free loopback ports.");
    }

    private static bool Free(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
