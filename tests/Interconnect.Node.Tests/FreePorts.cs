using System.Net;
using System.Net.Sockets;

namespace Interconnect.Node.Tests;

/// <summary>Finds free loopback ports for nodes started by tests.</summary>
public static class FreePorts
{
    /// <summary>The first of <paramref name="count"/> consecutive ports that are free now.</summary>
    public static int Consecutive(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException("No free consecutive loopback ports found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
