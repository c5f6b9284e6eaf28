using System.Diagnostics;
using System.Formats.Asn1;
using System.Numerics;

namespace Interconnect.Ledger.Tests.WorkedExample;

/// <summary>Runs the machine's openssl binary: an implementation independent of .NET's own code paths.</summary>
internal static class OpenSsl
{
    public static string Run(string arguments, string workingDirectory)
    {
        using var process = Process.Start(new ProcessStartInfo("openssl", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("openssl did not start.");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("openssl did not finish in 30 s.");
        }

        return output.Trim();
    }

    /// <summary>SHA-256 of <paramref name="data"/> as computed by `openssl dgst -sha256`, lowercase hex.</summary>
    public static string Sha256(byte[] data)
    {
        var dir = Directory.CreateTempSubdirectory("interconnect-openssl-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "data.bin"), data);
            var output = Run("dgst -sha256 -r data.bin", dir);
            return output.Split(' ', 2)[0].ToLowerInvariant();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>`openssl dgst -sha256 -verify` over an IEEE P1363 signature rewrapped as DER.</summary>
    public static string VerifyP1363(string publicKeyPem, byte[] data, byte[] p1363Signature)
    {
        var dir = Directory.CreateTempSubdirectory("interconnect-openssl-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "key.pem"), publicKeyPem + "\n");
            File.WriteAllBytes(Path.Combine(dir, "data.bin"), data);
            File.WriteAllBytes(Path.Combine(dir, "sig.der"), ToDer(p1363Signature));
            return Run("dgst -sha256 -verify key.pem -signature sig.der data.bin", dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>r||s (32 bytes each) to DER SEQUENCE { INTEGER r, INTEGER s }.</summary>
    public static byte[] ToDer(byte[] p1363)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(p1363.AsSpan(0, 32), isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new BigInteger(p1363.AsSpan(32, 32), isUnsigned: true, isBigEndian: true));
        }

        return writer.Encode();
    }
}
