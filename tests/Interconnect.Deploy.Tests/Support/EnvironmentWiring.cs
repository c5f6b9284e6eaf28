using System.Globalization;
using System.Text.RegularExpressions;

namespace Interconnect.Deploy.Tests.Support;

/// <summary>An if, range or with around a line: its keyword, its expression, and whether the line is in its else branch.</summary>
internal sealed record TemplateBlock(string Keyword, string Expression, bool InElse)
{
    public override string ToString() => (InElse ? "else of " : string.Empty) + Keyword + " " + Expression;
}

/// <summary>
/// An environment variable a chart template sets (a "- name: X" item or a ConfigMap "X: ..." key),
/// with list indices written as N ("Node__Partners__N__Id"), the blocks it sits in, and every values
/// path that decides it: in its own lines, in the helpers it includes, and in its blocks' conditions.
/// </summary>
internal sealed record EnvironmentEntry(string Name, string Template, int Line, string Text, IReadOnlyList<TemplateBlock> Blocks, IReadOnlyList<string> ValuesPaths)
{
    public override string ToString() => $"{Name} ({Template}:{Line})";
}

/// <summary>Finds the environment variables the chart's templates set.</summary>
internal static partial class EnvironmentWiring
{
    public static IReadOnlyList<EnvironmentEntry> Entries(IReadOnlyList<ChartTemplate> templates)
    {
        var entries = new List<EnvironmentEntry>();
        foreach (var template in templates.Where(t => t.Name.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            entries.AddRange(EntriesIn(template, templates));
        }

        return entries;
    }

    /// <summary>True when an environment-variable-like name: Section__Key, or UPPER_CASE.</summary>
    public static bool LooksLikeVariable(string name) =>
        name.Contains("__", StringComparison.Ordinal) || UpperCaseVariable().IsMatch(name);

    private static List<EnvironmentEntry> EntriesIn(ChartTemplate template, IReadOnlyList<ChartTemplate> all)
    {
        var actionsByLine = template.Actions().GroupBy(a => a.Line).ToDictionary(g => g.Key, g => g.ToList());
        var blocks = new List<TemplateBlock>();
        var bindings = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<EnvironmentEntry>();
        var lines = template.LinesWithoutComments();
        for (var index = 0; index < lines.Count; index++)
        {
            var lineNumber = index + 1;
            var line = IndexPlaceholder().Replace(lines[index], "N");
            if (Entry(lines, index, line) is { } found)
            {
                var paths = new List<string>();
                foreach (var block in blocks)
                {
                    paths.AddRange(ChartTemplate.PathsIn(block.Expression, bindings));
                }

                for (var entryLine = lineNumber; entryLine <= found.LastLine; entryLine++)
                {
                    foreach (var action in actionsByLine.GetValueOrDefault(entryLine) ?? [])
                    {
                        if (!action.IsComment)
                        {
                            paths.AddRange(ChartTemplate.PathsIn(action.Text, bindings));
                            paths.AddRange(IncludedPaths(action.Text, all, []));
                        }
                    }
                }

                var text = string.Join('\n', lines.Skip(index).Take(found.LastLine - index));
                entries.Add(new EnvironmentEntry(found.Name, template.Name, lineNumber, text, [.. blocks], [.. paths.Distinct(StringComparer.Ordinal)]));
            }

            foreach (var action in actionsByLine.GetValueOrDefault(lineNumber) ?? [])
            {
                if (action.IsComment)
                {
                    continue;
                }

                ChartTemplate.Bind(action.Text, bindings);
                switch (action.Keyword)
                {
                    case "if" or "range" or "with" or "define" or "block":
                        blocks.Add(new TemplateBlock(action.Keyword, action.Text[action.Keyword.Length..].Trim(), InElse: false));
                        break;
                    case "else":
                        var open = blocks[^1];
                        // "else if" chains are not evaluated; the entry analysis refuses them rather than guess.
                        blocks[^1] = action.Text == "else" ? open with { InElse = true } : open with { Keyword = "else-if", InElse = true };
                        break;
                    case "end":
                        blocks.RemoveAt(blocks.Count - 1);
                        break;
                }
            }
        }

        return entries;
    }

    private static (string Name, int LastLine)? Entry(IReadOnlyList<string> lines, int index, string line)
    {
        var item = ListItem().Match(line);
        if (item.Success && LooksLikeVariable(item.Groups["name"].Value))
        {
            // The item runs while lines are indented deeper than its dash.
            var dash = item.Groups["indent"].Value.Length;
            var last = index;
            for (var next = index + 1; next < lines.Count; next++)
            {
                var text = lines[next];
                if (text.Trim().Length == 0)
                {
                    continue;
                }

                if (text.Length - text.TrimStart().Length <= dash)
                {
                    break;
                }

                last = next;
            }

            return (item.Groups["name"].Value, last + 1);
        }

        var key = MapKey().Match(line);
        if (key.Success && LooksLikeVariable(key.Groups["name"].Value))
        {
            return (key.Groups["name"].Value, index + 1);
        }

        return null;
    }

    private static IEnumerable<string> IncludedPaths(string actionText, IReadOnlyList<ChartTemplate> all, HashSet<string> seen)
    {
        foreach (Match include in IncludeName().Matches(actionText))
        {
            var name = include.Groups[1].Value;
            if (!seen.Add(name))
            {
                continue;
            }

            var body = all.Select(t => t.DefineBody(name)).FirstOrDefault(b => b.Count > 0) ?? [];
            var bindings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var action in body.Where(a => !a.IsComment))
            {
                ChartTemplate.Bind(action.Text, bindings);
                foreach (var path in ChartTemplate.PathsIn(action.Text, bindings).Concat(IncludedPaths(action.Text, all, seen)))
                {
                    yield return path;
                }
            }
        }
    }

    [GeneratedRegex(@"\{\{-?\s*\$[A-Za-z_]\w*\s*-?\}\}")]
    private static partial Regex IndexPlaceholder();

    [GeneratedRegex(@"^(?<indent>\s*)-\s+name:\s+""?(?<name>[A-Za-z_][A-Za-z0-9_]*)""?\s*$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:(\s|$)")]
    private static partial Regex MapKey();

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*_[A-Z0-9_]+$")]
    private static partial Regex UpperCaseVariable();

    [GeneratedRegex(@"\b(?:include|template)\s+""([^""]+)""")]
    private static partial Regex IncludeName();
}
