using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Interconnect.Deploy.Tests.Support;
using Interconnect.Node.Configuration;

namespace Interconnect.Deploy.Tests;

/// <summary>The node's Dockerfile (not buildable here: no Docker engine) agrees with the tree and the chart.</summary>
public sealed partial class ImageTests
{
    private static readonly string DockerfilePath = Path.Combine(Repository.Root, "deploy", "docker", "Dockerfile");

    private static readonly IReadOnlyList<string> Instructions = ReadInstructions();

    private static IReadOnlyList<string> FinalStage =>
        [.. Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal)))];

    [Fact]
    public void Stages_BuildWithTheSdkAndRunOnTheAspNetRuntime()
    {
        var stages = Instructions.Where(i => i.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, stages.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", stages[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", stages[1], StringComparison.Ordinal);
        Assert.Contains(FinalStage, i => i.StartsWith("COPY --from=build ", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_RunsAsTheNonRootAppUserTheChartExpects()
    {
        Assert.Contains("USER $APP_UID", FinalStage);
        // APP_UID is 1654 in the .NET 8+ images; the chart's runAsUser must be that user.
        var defaults = ValuesYaml.Load(Repository.ChartFile("values.yaml"));
        Assert.Equal(1654L, ValuesYaml.At(defaults, "securityContext.runAsUser").Value);
    }

    [Fact]
    public void Entrypoint_RunsTheNodesRunCommand()
    {
        var entrypoint = Assert.Single(FinalStage, i => i.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));

        var arguments = JsonSerializer.Deserialize<string[]>(entrypoint["ENTRYPOINT ".Length..])!;

        Assert.Equal(["dotnet", typeof(NodeOptions).Assembly.GetName().Name + ".dll", "run"], arguments);
    }

    [Fact]
    public void ExposedPort_IsTheHttpsPortTheChartUses()
    {
        var defaults = ValuesYaml.Load(Repository.ChartFile("values.yaml"));
        var https = ValuesYaml.At(defaults, "containerPorts.https").Value;

        Assert.Contains($"EXPOSE {https}", FinalStage);
        Assert.Matches($@"ASPNETCORE_HTTPS_PORTS={https}\b", string.Join('\n', FinalStage));
        Assert.Matches(@"ASPNETCORE_HTTP_PORTS=""""", string.Join('\n', FinalStage));
    }

    [Fact]
    public void ExposedPorts_IncludeTheSiloAndGatewayPortsOfTheChartAndTheNode()
    {
        var defaults = ValuesYaml.Load(Repository.ChartFile("values.yaml"));
        var node = new ClusterOptions();
        var silo = ValuesYaml.At(defaults, "cluster.siloPort").Value;
        var gateway = ValuesYaml.At(defaults, "cluster.gatewayPort").Value;

        Assert.Equal((long)node.SiloPort, silo);
        Assert.Equal((long)node.GatewayPort, gateway);
        Assert.Contains($"EXPOSE {silo} {gateway}", FinalStage);
    }

    [Fact]
    public void BuildStage_CopiesEveryProjectTheNodeReferences()
    {
        var copied = Instructions.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToHashSet(StringComparer.Ordinal);

        foreach (var project in ProjectClosure(Path.Combine(Repository.Root, "src", "Interconnect.Node", "Interconnect.Node.csproj")))
        {
            Assert.Contains(Path.GetRelativePath(Repository.Root, project).Replace('\\', '/'), copied);
        }

        Assert.All(copied, source => Assert.True(
            File.Exists(Path.Combine(Repository.Root, source)) || Directory.Exists(Path.Combine(Repository.Root, source)),
            $"COPY source {source} does not exist"));
    }

    [Fact]
    public void DockerIgnore_LetsEveryCopiedSourceIntoTheContext()
    {
        var ignore = File.ReadAllLines(Path.Combine(Repository.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var sources = Instructions.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]);

        Assert.Equal("*", ignore[0]);
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        foreach (var source in sources)
        {
            var top = source.Contains('/', StringComparison.Ordinal) ? source[..(source.IndexOf('/', StringComparison.Ordinal) + 1)] : source;
            Assert.Contains("!" + top, ignore);
        }
    }

    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(current).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar);
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include)));
            }
        }

        return seen;
    }

    private static List<string> ReadInstructions()
    {
        // Joins continuation lines and drops comments: one string per instruction.
        var instructions = new List<string>();
        var current = string.Empty;
        foreach (var raw in File.ReadAllLines(DockerfilePath))
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            current = current.Length == 0 ? line : current + " " + line;
            if (current.EndsWith('\\'))
            {
                current = current[..^1].TrimEnd();
                continue;
            }

            instructions.Add(Whitespace().Replace(current, " "));
            current = string.Empty;
        }

        return instructions;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
