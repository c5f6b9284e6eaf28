using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Interconnect.Deploy.Tests.Support.Rendering;

/// <summary>The chart refused the values (required, fail) or used something the renderer does not know.</summary>
internal sealed class RenderException(string message) : Exception(message);

/// <summary>The chart's files matched by .Files.Glob, as Helm's Files object.</summary>
internal sealed class ChartFileSet(IReadOnlyDictionary<string, string> files)
{
    public IReadOnlyDictionary<string, string> Files => files;

    /// <summary>As Helm's AsConfig: a YAML map of file name to content.</summary>
    public string AsConfig() =>
        ChartRenderer.ToYaml(files.ToDictionary(f => Path.GetFileName(f.Key), f => (object?)f.Value, StringComparer.Ordinal));
}

/// <summary>
/// Renders the chart the way `helm template` does, for the part of Go templates and Helm's functions
/// the chart uses; anything else throws, so a template that outgrows the renderer fails its tests
/// instead of rendering wrongly. Helm is not installed where the tests run.
/// </summary>
internal sealed class ChartRenderer
{
    private const string ChartName = "interconnect";
    private readonly Dictionary<string, IReadOnlyList<TemplateNode>> _templates;
    private readonly Dictionary<string, object?> _chart;
    private readonly string _chartDirectory;

    private ChartRenderer(Dictionary<string, IReadOnlyList<TemplateNode>> defines)
    {
        _templates = defines;
        _chart = [];
        _chartDirectory = string.Empty;
    }

    public ChartRenderer(string chartDirectory)
    {
        _templates = new Dictionary<string, IReadOnlyList<TemplateNode>>(StringComparer.Ordinal);
        _chartDirectory = chartDirectory;
        var metadata = ValuesYaml.Load(Path.Combine(chartDirectory, "Chart.yaml"));
        _chart = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = metadata["name"],
            ["Version"] = metadata["version"],
            ["AppVersion"] = metadata["appVersion"],
        };

        // Helpers first: every file's defines are visible to every other, as in Helm.
        foreach (var file in Directory.GetFiles(Path.Combine(chartDirectory, "templates")).Order(StringComparer.Ordinal))
        {
            var name = $"{ChartName}/templates/{Path.GetFileName(file)}";
            _templates[name] = TemplateParser.Parse(name, File.ReadAllText(file), _templates);
        }
    }

    public static ChartRenderer ForChart() => new(Repository.Chart);

    /// <summary>Renders one template text with <paramref name="values"/> as .Values (for checking the renderer itself).</summary>
    public static string RenderText(string text, Dictionary<string, object?> values)
    {
        var defines = new Dictionary<string, IReadOnlyList<TemplateNode>>(StringComparer.Ordinal);
        var nodes = TemplateParser.Parse("text", text, defines);
        var renderer = new ChartRenderer(defines);
        var root = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Values"] = values };
        var output = new StringBuilder();
        new Execution(renderer, root).Run(nodes, root, output);
        return output.ToString();
    }

    /// <summary>Renders every manifest template ("templates/x.yaml" to its text) for the values, release name and namespace.</summary>
    public IReadOnlyDictionary<string, string> Render(Dictionary<string, object?> values, string release = "nl", string ns = "customs")
    {
        var rendered = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in _templates.Keys.Where(n => n.StartsWith(ChartName + "/templates/", StringComparison.Ordinal) && !Path.GetFileName(n).StartsWith('_')))
        {
            var root = Root(values, release, ns, name);
            var output = new StringBuilder();
            new Execution(this, root).Run(_templates[name], root, output);
            rendered[name[(ChartName.Length + 1)..]] = output.ToString();
        }

        return rendered;
    }

    /// <summary>The Kubernetes objects in the rendered manifests (NOTES.txt left out), each a YAML mapping.</summary>
    public IReadOnlyList<Dictionary<string, object?>> Objects(Dictionary<string, object?> values, string release = "nl", string ns = "customs")
    {
        var objects = new List<Dictionary<string, object?>>();
        foreach (var (name, text) in Render(values, release, ns).Where(r => r.Key.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            foreach (var document in text.Split("\n---"))
            {
                if (document.Trim().Length == 0)
                {
                    continue;
                }

                try
                {
                    var parsed = ValuesYaml.Parse(document, name);
                    if (parsed.Count > 0)
                    {
                        objects.Add(parsed);
                    }
                }
                catch (YamlDotNet.Core.YamlException e)
                {
                    throw new RenderException($"{name} renders invalid YAML: {e.Message}\n{document}");
                }
            }
        }

        return objects;
    }

    internal static string ToYaml(object? value)
    {
        if (value is null)
        {
            return "null";
        }

        var stream = new YamlStream(new YamlDocument(Node(value)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);

        // YamlStream ends a document with "...": Helm's toYaml gives the bare text, without a final newline.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        return text.TrimEnd('\n');
    }

    private static YamlNode Node(object? value) => value switch
    {
        Dictionary<string, object?> map => new YamlMappingNode(map.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), Node(p.Value)))),
        List<object?> list => new YamlSequenceNode(list.Select(Node)),
        string text => Scalar(text),
        null => new YamlScalarNode("null"),
        _ => new YamlScalarNode(Execution.Print(value)),
    };

    private static YamlScalarNode Scalar(string text)
    {
        // A string that would read back as another type, or that has line breaks, is quoted.
        var plain = ValuesYaml.Parse("v: " + (text.Length == 0 ? "\"\"" : text)) is var probe
            && !text.Contains('\n', StringComparison.Ordinal) && text.Trim() == text && probe.TryGetValue("v", out var back) && back is string s && s == text
            && !text.StartsWith('\'') && !text.StartsWith('"') && !text.Contains(": ", StringComparison.Ordinal) && !text.Contains(" #", StringComparison.Ordinal);
        return new YamlScalarNode(text) { Style = plain ? YamlDotNet.Core.ScalarStyle.Plain : YamlDotNet.Core.ScalarStyle.DoubleQuoted };
    }

    private Dictionary<string, object?> Root(Dictionary<string, object?> values, string release, string ns, string template) => new(StringComparer.Ordinal)
    {
        ["Values"] = values,
        ["Chart"] = _chart,
        ["Release"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = release,
            ["Namespace"] = ns,
            ["Service"] = "Helm",
        },
        ["Template"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = template,
            ["BasePath"] = $"{ChartName}/templates",
        },
        ["Files"] = this,
    };

    private ChartFileSet Glob(string pattern)
    {
        // The chart's patterns are "directory/*.extension".
        var directory = Path.Combine(_chartDirectory, Path.GetDirectoryName(pattern) ?? string.Empty);
        var files = Directory.Exists(directory)
            ? Directory.GetFiles(directory, Path.GetFileName(pattern)).Order(StringComparer.Ordinal)
                .ToDictionary(f => Path.GetRelativePath(_chartDirectory, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal)
            : [];
        return new ChartFileSet(files);
    }

    /// <summary>One render: variables in scope and the template being executed.</summary>
    private sealed class Execution(ChartRenderer renderer, Dictionary<string, object?> root)
    {
        private readonly List<Dictionary<string, object?>> _scopes = [new(StringComparer.Ordinal) { ["$"] = root }];
        private int _depth;

        public void Run(IReadOnlyList<TemplateNode> nodes, object? dot, StringBuilder output)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case TextNode text:
                        output.Append(text.Text);
                        break;
                    case OutputNode action:
                        var value = Evaluate(action.Pipeline, dot);
                        if (action.Pipeline.Variables.Count == 0)
                        {
                            output.Append(Print(value));
                        }

                        break;
                    case IfNode conditional:
                        InScope(() => Run(Truthy(Evaluate(conditional.Condition, dot)) ? conditional.Then : conditional.Else, dot, output));
                        break;
                    case WithNode with:
                        InScope(() =>
                        {
                            var subject = Evaluate(with.Value, dot);
                            Run(Truthy(subject) ? with.Body : with.Else, Truthy(subject) ? subject : dot, output);
                        });
                        break;
                    case RangeNode range:
                        RunRange(range, dot, output);
                        break;
                }
            }
        }

        private void RunRange(RangeNode range, object? dot, StringBuilder output)
        {
            var declared = range.Items.Variables;
            var items = Evaluate(range.Items with { Variables = [] }, dot);
            var pairs = items switch
            {
                List<object?> list => list.Select((item, i) => ((object?)(long)i, item)).ToList(),
                Dictionary<string, object?> map => map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ((object?)p.Key, p.Value)).ToList(),
                null => [],
                _ => throw new RenderException($"range over {items.GetType().Name}"),
            };
            if (pairs.Count == 0)
            {
                InScope(() => Run(range.Else, dot, output));
                return;
            }

            foreach (var (key, item) in pairs)
            {
                InScope(() =>
                {
                    if (declared.Count == 1)
                    {
                        _scopes[^1][declared[0]] = item;
                    }
                    else if (declared.Count == 2)
                    {
                        _scopes[^1][declared[0]] = key;
                        _scopes[^1][declared[1]] = item;
                    }

                    Run(range.Body, item, output);
                });
            }
        }

        private void InScope(Action action)
        {
            _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
            try
            {
                action();
            }
            finally
            {
                _scopes.RemoveAt(_scopes.Count - 1);
            }
        }

        private object? Evaluate(Pipeline pipeline, object? dot)
        {
            object? value = null;
            for (var i = 0; i < pipeline.Commands.Count; i++)
            {
                value = Execute(pipeline.Commands[i], dot, i == 0 ? [] : [value]);
            }

            foreach (var variable in pipeline.Variables)
            {
                if (pipeline.Declares)
                {
                    _scopes[^1][variable] = value;
                }
                else
                {
                    var scope = _scopes.LastOrDefault(s => s.ContainsKey(variable)) ?? throw new RenderException($"assignment to undeclared {variable}");
                    scope[variable] = value;
                }
            }

            return value;
        }

        private object? Execute(Command command, object? dot, object?[] piped)
        {
            var head = command.Arguments[0];
            if (head.Term is FunctionTerm function && head.Fields.Count == 0)
            {
                var arguments = command.Arguments.Skip(1).Select(a => Value(a, dot)).Concat(piped).ToArray();
                return Call(function.Name, arguments);
            }

            if (command.Arguments.Count > 1 || piped.Length > 0)
            {
                // A method call on a field chain: .Files.Glob "pattern".
                var receiver = Value(head with { Fields = [.. head.Fields.SkipLast(1)] }, dot);
                var arguments = command.Arguments.Skip(1).Select(a => Value(a, dot)).Concat(piped).ToArray();
                return Method(receiver, head.Fields[^1], arguments);
            }

            return Value(head, dot);
        }

        private object? Value(Operand operand, object? dot)
        {
            var value = operand.Term switch
            {
                DotTerm => dot,
                LiteralTerm literal => literal.Value,
                VariableTerm variable => (_scopes.LastOrDefault(s => s.ContainsKey(variable.Name)) ?? throw new RenderException($"undefined variable {variable.Name}"))[variable.Name],
                ParenthesizedTerm inner => Evaluate(inner.Pipeline, dot),
                FunctionTerm function => Call(function.Name, []),
                _ => throw new RenderException($"term {operand.Term}"),
            };
            foreach (var field in operand.Fields)
            {
                value = value switch
                {
                    Dictionary<string, object?> map => map.GetValueOrDefault(field),
                    ChartFileSet set when field == "AsConfig" => set.AsConfig(),
                    null => null,
                    _ => throw new RenderException($"field {field} of {value.GetType().Name}"),
                };
            }

            return value;
        }

        private static object? Method(object? receiver, string name, object?[] arguments) => (receiver, name) switch
        {
            (ChartRenderer files, "Glob") => files.Glob((string)arguments[0]!),
            (ChartRenderer files, "Get") => File.ReadAllText(Path.Combine(files._chartDirectory, (string)arguments[0]!)),
            _ => throw new RenderException($"method {name} on {receiver?.GetType().Name ?? "nil"}"),
        };

        private object? Call(string name, object?[] a)
        {
            switch (name)
            {
                case "include":
                    var template = (string)a[0]!;
                    var key = renderer._templates.ContainsKey(template) ? template : $"{ChartName}/{template}";
                    if (!renderer._templates.TryGetValue(key, out var body) && !renderer._templates.TryGetValue(template, out body))
                    {
                        throw new RenderException($"include of undefined template \"{template}\"");
                    }

                    if (++_depth > 50)
                    {
                        throw new RenderException("include nested too deep");
                    }

                    var output = new StringBuilder();
                    var saved = _scopes.ToList();
                    _scopes.Clear();
                    _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["$"] = a[1] });
                    try
                    {
                        Run(body, a[1], output);
                    }
                    finally
                    {
                        _scopes.Clear();
                        _scopes.AddRange(saved);
                        _depth--;
                    }

                    return output.ToString();
                case "required":
                    return a[1] is null || (a[1] is string s && s.Length == 0) ? throw new RenderException((string)a[0]!) : a[1];
                case "fail":
                    throw new RenderException((string)a[0]!);
                case "default":
                    return Truthy(a.Length > 1 ? a[1] : null) ? a[1] : a[0];
                case "quote":
                    return string.Join(' ', a.Where(v => v is not null).Select(v => Quote(Print(v))));
                case "print":
                    return string.Concat(a.Select(Print));
                case "printf":
                    return Printf((string)a[0]!, a[1..]);
                case "trunc":
                    var whole = Print(a[1]);
                    var length = (int)ToLong(a[0]);
                    return whole.Length > length ? whole[..length] : whole;
                case "trimSuffix":
                    var text = Print(a[1]);
                    return text.EndsWith((string)a[0]!, StringComparison.Ordinal) ? text[..^((string)a[0]!).Length] : text;
                case "replace":
                    return Print(a[2]).Replace((string)a[0]!, (string)a[1]!, StringComparison.Ordinal);
                case "lower":
                    return StringArgument(name, a[0]).ToLowerInvariant();
                case "regexMatch":
                    // Go's RE2 and .NET agree on the anchored character-class patterns the chart uses.
                    return Regex.IsMatch(StringArgument(name, a[1]), StringArgument(name, a[0]), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                case "contains":
                    return Print(a[1]).Contains(Print(a[0]), StringComparison.Ordinal);
                case "toYaml":
                    return ToYaml(a[0]);
                case "nindent":
                    return "\n" + Indent((int)ToLong(a[0]), Print(a[1]));
                case "indent":
                    return Indent((int)ToLong(a[0]), Print(a[1]));
                case "sha256sum":
                    return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Print(a[0]))));
                case "ternary":
                    return Truthy(a[2]) ? a[0] : a[1];
                case "int":
                    return ToLong(a[0]);
                case "sub":
                    return ToLong(a[0]) - ToLong(a[1]);
                case "eq":
                    return a.Skip(1).Any(other => Same(a[0], other));
                case "ne":
                    return !Same(a[0], a[1]);
                case "gt":
                    return Compare(a[0], a[1]) > 0;
                case "lt":
                    return Compare(a[0], a[1]) < 0;
                case "not":
                    return !Truthy(a[0]);
                case "and":
                    return a.FirstOrDefault(v => !Truthy(v), a[^1]);
                case "or":
                    return a.FirstOrDefault(Truthy, a[^1]);
                case "list":
                    return a.ToList();
                case "append":
                    return ((List<object?>)a[0]!).Append(a[1]).ToList();
                case "keys":
                    return ((Dictionary<string, object?>)a[0]!).Keys.Select(k => (object?)k).ToList();
                case "sortAlpha":
                    return ((List<object?>)a[0]!).Select(Print).Order(StringComparer.Ordinal).Select(k => (object?)k).ToList();
                case "index":
                    return a[1..].Aggregate(a[0], (current, key) => current switch
                    {
                        Dictionary<string, object?> map => map.GetValueOrDefault(Print(key)),
                        List<object?> list => list[(int)ToLong(key)],
                        _ => null,
                    });
                case "join":
                    return string.Join((string)a[0]!, ((List<object?>)a[1]!).Select(Print));
                case "len":
                    return (long)(a[0] switch
                    {
                        string s2 => s2.Length,
                        List<object?> list => list.Count,
                        Dictionary<string, object?> map => map.Count,
                        null => 0,
                        _ => throw new RenderException($"len of {a[0]!.GetType().Name}"),
                    });
                default:
                    throw new RenderException($"function \"{name}\" is outside the rendered subset");
            }
        }

        public static string Print(object? value) => value switch
        {
            null => string.Empty,
            string s => s,
            bool b => b ? "true" : "false",
            long n => n.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            List<object?> list => "[" + string.Join(' ', list.Select(Print)) + "]",
            Dictionary<string, object?> map => "map[" + string.Join(' ', map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Print(p.Value)}")) + "]",
            _ => value.ToString() ?? string.Empty,
        };

        public static bool Truthy(object? value) => value switch
        {
            null => false,
            bool b => b,
            string s => s.Length > 0,
            long n => n != 0,
            double d => d != 0,
            List<object?> list => list.Count > 0,
            Dictionary<string, object?> map => map.Count > 0,
            ChartFileSet set => set.Files.Count > 0,
            _ => true,
        };

        private static string Quote(string text)
        {
            var quoted = new StringBuilder("\"");
            foreach (var c in text)
            {
                quoted.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => c.ToString(),
                });
            }

            return quoted.Append('"').ToString();
        }

        private static string Printf(string format, object?[] arguments)
        {
            var result = new StringBuilder();
            var next = 0;
            for (var i = 0; i < format.Length; i++)
            {
                if (format[i] != '%' || i + 1 >= format.Length)
                {
                    result.Append(format[i]);
                    continue;
                }

                var verb = format[++i];
                result.Append(verb switch
                {
                    '%' => "%",
                    's' or 'v' or 'd' => Print(arguments[next++]),
                    'q' => Quote(Print(arguments[next++])),
                    _ => throw new RenderException($"printf verb %{verb}"),
                });
            }

            return result.ToString();
        }

        private static string Indent(int spaces, string text)
        {
            var pad = new string(' ', spaces);
            return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
        }

        /// <summary>A Sprig function's string parameter: Go refuses nil (a missing value) and other types there.</summary>
        private static string StringArgument(string function, object? value) =>
            value as string ?? throw new RenderException($"{function} of {(value is null ? "nil" : value.GetType().Name)}: expected a string");

        private static long ToLong(object? value) => value switch
        {
            long n => n,
            double d => (long)d,
            string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            null => 0,
            _ => throw new RenderException($"int of {value}"),
        };

        private static bool Same(object? left, object? right) => (left, right) switch
        {
            (long or double, long or double) => Convert.ToDouble(left, CultureInfo.InvariantCulture) == Convert.ToDouble(right, CultureInfo.InvariantCulture),
            _ => Equals(left, right),
        };

        private static int Compare(object? left, object? right) =>
            Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture));
    }
}
