using System.Text.RegularExpressions;

namespace Interconnect.Deploy.Tests.Support;

/// <summary>One Go-template action: its text between the delimiters (trim markers removed) and where it starts.</summary>
internal sealed record TemplateAction(int Line, string Text, bool IsComment)
{
    /// <summary>The control keyword (if, else, end, range, with, define, block, template), or null for an expression.</summary>
    public string? Keyword => IsComment ? null : ChartTemplate.KeywordOf(Text);
}

/// <summary>
/// A chart template read as text. Helm is not installed where the tests run, so templates are checked
/// by what can be read from them without executing: delimiters, block structure, the templates they
/// include and the values they read.
/// </summary>
internal sealed partial class ChartTemplate
{
    private static readonly HashSet<string> Keywords = ["if", "else", "end", "range", "with", "define", "block", "template", "break", "continue"];

    private ChartTemplate(string name, string text)
    {
        Name = name;
        Text = text;
        Lines = text.Split('\n');
    }

    /// <summary>The path inside the chart, e.g. "templates/configmap.yaml".</summary>
    public string Name { get; }

    public string Text { get; }

    public IReadOnlyList<string> Lines { get; }

    public static IReadOnlyList<ChartTemplate> All() =>
        [.. Directory.GetFiles(Repository.ChartFile("templates"))
            .Order(StringComparer.Ordinal)
            .Select(path => new ChartTemplate("templates/" + Path.GetFileName(path), File.ReadAllText(path)))];

    public static ChartTemplate Named(string name) =>
        All().SingleOrDefault(t => t.Name == name) ?? throw new FileNotFoundException($"No chart template {name}.");

    public static ChartTemplate FromText(string name, string text) => new(name, text);

    public override string ToString() => Name;

    /// <summary>The lines with template comments blanked (line numbers kept), so prose in a comment is never read as YAML.</summary>
    public IReadOnlyList<string> LinesWithoutComments() =>
        Comment().Replace(Text, m => new string('\n', m.Value.Count('\n'))).Split('\n');

    /// <summary>Every problem with the {{ }} delimiters: one left open, a stray close, one opened inside another.</summary>
    public IReadOnlyList<string> DelimiterProblems()
    {
        var problems = new List<string>();
        Scan(problems);
        return problems;
    }

    /// <summary>The actions in order; throws when the delimiters do not pair up.</summary>
    public IReadOnlyList<TemplateAction> Actions()
    {
        var problems = new List<string>();
        var actions = Scan(problems);
        return problems.Count == 0 ? actions : throw new InvalidDataException($"{Name}: {string.Join("; ", problems)}");
    }

    /// <summary>Every problem with block structure: an end without a block, an else outside if/range/with, a block never ended.</summary>
    public IReadOnlyList<string> BlockProblems()
    {
        var problems = new List<string>();
        var open = new Stack<TemplateAction>();
        foreach (var action in Actions())
        {
            switch (action.Keyword)
            {
                case "define" when open.Count > 0:
                    problems.Add($"{Name}:{action.Line}: define inside a block");
                    open.Push(action);
                    break;
                case "if" or "range" or "with" or "define" or "block":
                    open.Push(action);
                    break;
                case "else":
                    if (open.Count == 0 || open.Peek().Keyword is not ("if" or "range" or "with"))
                    {
                        problems.Add($"{Name}:{action.Line}: \"{action.Text}\" outside if/range/with");
                    }

                    break;
                case "end":
                    if (open.Count == 0)
                    {
                        problems.Add($"{Name}:{action.Line}: \"end\" closes nothing");
                    }
                    else
                    {
                        open.Pop();
                    }

                    break;
            }
        }

        problems.AddRange(open.Select(a => $"{Name}:{a.Line}: \"{a.Text}\" is never ended"));
        return problems;
    }

    /// <summary>The names of the templates this file defines.</summary>
    public IEnumerable<string> Defines() =>
        Actions().Where(a => a.Keyword == "define").Select(a => DefineName().Match(a.Text)).Where(m => m.Success).Select(m => m.Groups[1].Value);

    /// <summary>The body of a define, as the actions between it and its end.</summary>
    public IReadOnlyList<TemplateAction> DefineBody(string name)
    {
        var actions = Actions();
        var start = actions.ToList().FindIndex(a => a.Keyword == "define" && DefineName().Match(a.Text) is { Success: true } m && m.Groups[1].Value == name);
        if (start < 0)
        {
            return [];
        }

        var depth = 0;
        var body = new List<TemplateAction>();
        for (var i = start + 1; i < actions.Count; i++)
        {
            var keyword = actions[i].Keyword;
            if (keyword is "if" or "range" or "with" or "define" or "block")
            {
                depth++;
            }
            else if (keyword == "end" && depth-- == 0)
            {
                break;
            }

            body.Add(actions[i]);
        }

        return body;
    }

    /// <summary>Template names given to include or template literally ("interconnect.labels").</summary>
    public IEnumerable<(int Line, string Name)> IncludedNames() =>
        Actions().Where(a => !a.IsComment).SelectMany(a => IncludeName().Matches(a.Text).Select(m => (a.Line, m.Groups[1].Value)));

    /// <summary>Template files included by path, as Helm's checksum idiom does: include (print $.Template.BasePath "/x.yaml").</summary>
    public IEnumerable<(int Line, string File)> IncludedFiles() =>
        Actions().Where(a => !a.IsComment).SelectMany(a => IncludeFile().Matches(a.Text).Select(m => (a.Line, "templates" + m.Groups[1].Value)));

    /// <summary>
    /// Every values path the template reads, with list items as "[]": ".Values.tls.https.enabled" gives
    /// "tls.https.enabled"; "$partner.link.key" inside "range $i, $partner := .Values.partners" gives
    /// "partners[].link.key"; "$egress.dns.ports" after "$egress := .Values.networkPolicy.egress" gives
    /// "networkPolicy.egress.dns.ports".
    /// </summary>
    public IReadOnlyList<(int Line, string Path)> ValuesPaths()
    {
        var bindings = new Dictionary<string, string>(StringComparer.Ordinal);
        var paths = new List<(int, string)>();
        foreach (var action in Actions().Where(a => !a.IsComment))
        {
            Bind(action.Text, bindings);
            paths.AddRange(PathsIn(action.Text, bindings).Select(p => (action.Line, p)));
        }

        return paths;
    }

    internal static IEnumerable<string> PathsIn(string actionText, IReadOnlyDictionary<string, string> bindings)
    {
        foreach (Match match in ValuesReference().Matches(actionText))
        {
            if (match.Groups["values"].Success)
            {
                yield return match.Groups["values"].Value[".Values.".Length..];
            }
            else if (bindings.TryGetValue(match.Groups["var"].Value, out var bound))
            {
                yield return bound + match.Groups["rest"].Value;
            }
        }
    }

    /// <summary>Records a variable bound to a values path: "$x := .Values.a" or "range $i, $x := .Values.list".</summary>
    internal static void Bind(string actionText, Dictionary<string, string> bindings)
    {
        var match = Binding().Match(actionText);
        if (!match.Success)
        {
            return;
        }

        var source = PathsIn(match.Groups["operand"].Value, bindings).FirstOrDefault();
        var name = match.Groups["element"].Value;
        if (source is null || match.Groups["operand"].Value.Trim().Contains(' ', StringComparison.Ordinal))
        {
            // Bound to something computed (include, keys, list): not a values path.
            bindings.Remove(name);
            return;
        }

        bindings[name] = match.Groups["range"].Success ? source + "[]" : source;
    }

    internal static string? KeywordOf(string text)
    {
        var first = text.Split([' ', '\t', '\n', '\r'], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        return Keywords.Contains(first) ? first : null;
    }

    private List<TemplateAction> Scan(List<string> problems)
    {
        var actions = new List<TemplateAction>();
        var at = 0;
        while (at < Text.Length)
        {
            var open = Text.IndexOf("{{", at, StringComparison.Ordinal);
            var strayClose = Text.IndexOf("}}", at, StringComparison.Ordinal);
            if (strayClose >= 0 && (open < 0 || strayClose < open))
            {
                problems.Add($"line {LineOf(strayClose)}: \"}}}}\" without \"{{{{\"");
                at = strayClose + 2;
                continue;
            }

            if (open < 0)
            {
                break;
            }

            var inner = open + 2;
            var isComment = Text.AsSpan(inner).TrimStart('-').TrimStart().StartsWith("/*", StringComparison.Ordinal);
            var close = isComment ? CommentClose(inner) : Text.IndexOf("}}", inner, StringComparison.Ordinal);
            if (close < 0)
            {
                problems.Add($"line {LineOf(open)}: \"{{{{\" never closed");
                break;
            }

            var nested = Text.IndexOf("{{", inner, StringComparison.Ordinal);
            if (!isComment && nested >= 0 && nested < close)
            {
                problems.Add($"line {LineOf(nested)}: \"{{{{\" inside the action opened on line {LineOf(open)}");
            }

            var body = Text[inner..close];
            if (body.StartsWith('-'))
            {
                body = body[1..];
            }

            if (body.EndsWith('-'))
            {
                body = body[..^1];
            }

            actions.Add(new TemplateAction(LineOf(open), body.Trim(), isComment));
            at = close + 2;
        }

        return actions;
    }

    private int CommentClose(int from)
    {
        var end = Text.IndexOf("*/", from, StringComparison.Ordinal);
        if (end < 0)
        {
            return -1;
        }

        var close = Text.IndexOf("}}", end, StringComparison.Ordinal);
        return close >= 0 && Text.AsSpan(end + 2, close - end - 2).Trim().Trim('-').IsEmpty ? close : -1;
    }

    private int LineOf(int index) => Text.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^define\s+""([^""]+)""")]
    private static partial Regex DefineName();

    [GeneratedRegex(@"\b(?:include|template)\s+""([^""]+)""")]
    private static partial Regex IncludeName();

    [GeneratedRegex(@"\binclude\s+\(\s*print\s+\$\.Template\.BasePath\s+""([^""]+)""\s*\)")]
    private static partial Regex IncludeFile();

    [GeneratedRegex(@"(?<![\w$.])\$?(?<values>\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+)|(?<![\w.])\$(?<var>[A-Za-z_][A-Za-z0-9_]*)(?<rest>(?:\.[A-Za-z_][A-Za-z0-9_]*)*)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"^(?<range>range\s+)?(?:\$[A-Za-z_]\w*\s*,\s*)?\$(?<element>[A-Za-z_]\w*)\s*:?=\s*(?<operand>.+)$")]
    private static partial Regex Binding();
}
