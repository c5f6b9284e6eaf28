using System.Security.Cryptography;

namespace Interconnect.Node.Access;

/// <summary>
/// The <c>access-key</c> command: a fresh API key for a principal, and the digest the node's
/// configuration holds (Node:Access:Principals:N:ApiKeySha256). The key is shown once and kept nowhere.
/// </summary>
public static class AccessKeyCommand
{
    private const string Prefix = "ick_";

    /// <summary>A new API key: 256 random bits, base64url, with a prefix that secret scanners can spot.</summary>
    public static string NewKey() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Prints a new key and its digest; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length > 0)
        {
            error.WriteLine("usage: Interconnect.Node access-key   (prints a new API key and its ApiKeySha256)");
            return 2;
        }

        var key = NewKey();
        output.WriteLine($"key:          {key}");
        output.WriteLine($"ApiKeySha256: {PrincipalDirectory.Digest(key)}");
        output.WriteLine("Give the key to the principal; put only the ApiKeySha256 in the node's configuration.");
        return 0;
    }
}
