using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Interconnect.Benchmarks.Report;

/// <summary>Reads the machine's description at run time, so the report never states a machine it did not run on.</summary>
internal static class MachineProbe
{
    /// <summary>The machine now; the load average at the end is filled in when the run ends.</summary>
    public static MachineDescription Describe() => new(
        Environment.ProcessorCount,
        Processor(),
        MemoryGiB(),
        RuntimeInformation.OSDescription,
        $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}",
        OpenSsl(),
        $"{(GCSettings.IsServerGC ? "server" : "workstation")} {(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}",
        LoadAverage(),
        LoadAverage());

    /// <summary>The 1-minute load average (0 where the platform does not say).</summary>
    public static double LoadAverage()
    {
        var text = ReadOrNull("/proc/loadavg");
        return text is not null && double.TryParse(text.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : 0;
    }

    private static string Processor() =>
        ReadOrNull("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static double MemoryGiB()
    {
        var line = ReadOrNull("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var number, ..] ? double.Parse(number, CultureInfo.InvariantCulture) : 0;
        return kib / (1024 * 1024);
    }

    /// <summary>The OpenSSL library .NET's cryptography is actually bound to (not the command-line tool's).</summary>
    private static string OpenSsl()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the platform's own";
        }

        // OPENSSL_VERSION_NUMBER: 0xMNN00PP0 for 3.x (major, minor, patch).
        var version = SafeEvpPKeyHandle.OpenSslVersion;
        return string.Create(CultureInfo.InvariantCulture, $"{(version >> 28) & 0xF}.{(version >> 20) & 0xFF}.{(version >> 4) & 0xFF}");
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
