using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Interconnect.Deploy.Tests.Support;

/// <summary>
/// Helm values as Helm sees them: YAML read into plain maps, lists and typed scalars (the way Go's
/// YAML decoder types plain scalars), and user values coalesced over the chart's defaults.
/// </summary>
internal static partial class ValuesYaml
{
    public static Dictionary<string, object?> Load(string path) => Parse(File.ReadAllText(path), path);

    public static Dictionary<string, object?> Parse(string text, string source = "<text>")
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(text))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        return Convert(stream.Documents[0].RootNode) as Dictionary<string, object?>
            ?? throw new InvalidDataException($"{source}: the top level is not a mapping.");
    }

    /// <summary>The chart's defaults with each user file coalesced over them, in order (helm -f a -f b).</summary>
    public static Dictionary<string, object?> Merged(params string[] userFiles)
    {
        var merged = Load(Repository.ChartFile("values.yaml"));
        foreach (var file in userFiles)
        {
            merged = Coalesce(Load(file), merged);
        }

        return merged;
    }

    /// <summary>
    /// Helm's rule: maps merge key by key, a user value replaces a default of another shape (lists
    /// are replaced whole), and a user null deletes the default.
    /// </summary>
    public static Dictionary<string, object?> Coalesce(Dictionary<string, object?> user, Dictionary<string, object?> defaults)
    {
        var result = new Dictionary<string, object?>(defaults, StringComparer.Ordinal);
        foreach (var (key, value) in user)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is Dictionary<string, object?> userMap && result.TryGetValue(key, out var existing) && existing is Dictionary<string, object?> defaultMap)
            {
                result[key] = Coalesce(userMap, defaultMap);
            }
            else
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>The value at a dotted path ("tls.https.enabled"), or (false, null) when a step is missing.</summary>
    public static (bool Found, object? Value) At(object? root, string dottedPath)
    {
        var current = root;
        foreach (var step in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(step, out current))
            {
                return (false, null);
            }
        }

        return (true, current);
    }

    /// <summary>A copy of <paramref name="values"/> with the value at <paramref name="dottedPath"/> replaced (null removes it).</summary>
    public static Dictionary<string, object?> With(Dictionary<string, object?> values, string dottedPath, object? value)
    {
        var steps = dottedPath.Split('.');
        var patch = new Dictionary<string, object?>(StringComparer.Ordinal) { [steps[^1]] = value };
        for (var i = steps.Length - 2; i >= 0; i--)
        {
            patch = new Dictionary<string, object?>(StringComparer.Ordinal) { [steps[i]] = patch };
        }

        return Coalesce(patch, values);
    }

    /// <summary>A canonical text of a value (keys sorted), for comparing structures.</summary>
    public static string ToYamlText(object? value) => Rendering.ChartRenderer.ToYaml(value);

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => mapping.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? string.Empty,
            pair => Convert(pair.Value),
            StringComparer.Ordinal),
        YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"Unsupported YAML node {node.NodeType} at {node.Start}."),
    };

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return text;
        }

        // Go's YAML 1.1 resolution of plain scalars, which Helm applies before schema validation.
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return false;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return text;
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
