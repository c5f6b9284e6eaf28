namespace Interconnect.Deploy.Tests.Support;

/// <summary>Paths in the repository the tests were built from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Chart { get; } = Path.Combine(Root, "deploy", "helm", "interconnect");

    public static string ChartFile(params string[] parts) => Path.Combine([Chart, .. parts]);

    public static IReadOnlyList<string> ExampleValueFiles() =>
        [.. Directory.GetFiles(ChartFile("examples"), "values-*.yaml").Order(StringComparer.Ordinal)];

    private static string FindRoot()
    {
        // The test binaries sit under tests/<Project>/bin/...; the solution file marks the root.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interconnect.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Interconnect.sln above {AppContext.BaseDirectory}.");
    }
}
