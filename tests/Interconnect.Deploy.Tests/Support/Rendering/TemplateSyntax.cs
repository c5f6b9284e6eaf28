using System.Globalization;
using System.Text;

namespace Interconnect.Deploy.Tests.Support.Rendering;

/// <summary>A parsed piece of a Go template.</summary>
internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

internal sealed record OutputNode(Pipeline Pipeline, int Line) : TemplateNode;

internal sealed record IfNode(Pipeline Condition, IReadOnlyList<TemplateNode> Then, IReadOnlyList<TemplateNode> Else, int Line) : TemplateNode;

internal sealed record RangeNode(Pipeline Items, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode> Else, int Line) : TemplateNode;

internal sealed record WithNode(Pipeline Value, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode> Else, int Line) : TemplateNode;

/// <summary>Commands joined by "|", optionally declaring ($x :=) or assigning ($x =) variables.</summary>
internal sealed record Pipeline(IReadOnlyList<string> Variables, bool Declares, IReadOnlyList<Command> Commands);

/// <summary>A function name or a value, with its arguments.</summary>
internal sealed record Command(IReadOnlyList<Operand> Arguments);

/// <summary>One operand: a term and the fields read from it (.a.b).</summary>
internal sealed record Operand(Term Term, IReadOnlyList<string> Fields);

internal abstract record Term;

internal sealed record DotTerm : Term;

internal sealed record VariableTerm(string Name) : Term;

internal sealed record LiteralTerm(object? Value) : Term;

internal sealed record FunctionTerm(string Name) : Term;

internal sealed record ParenthesizedTerm(Pipeline Pipeline) : Term;

/// <summary>A template's text is not valid Go template syntax (as far as the renderer understands it).</summary>
internal sealed class TemplateSyntaxException(string message) : Exception(message);

/// <summary>
/// Parses the Go template syntax the chart uses into nodes: text, actions with trim markers and
/// comments, if/else if/else, range, with, define, variables, pipelines, parentheses and fields.
/// </summary>
internal sealed class TemplateParser
{
    private readonly string _source;
    private readonly List<(string Text, int Line, bool IsAction)> _items;
    private readonly Dictionary<string, IReadOnlyList<TemplateNode>> _defines;
    private int _at;

    private TemplateParser(string source, string text, Dictionary<string, IReadOnlyList<TemplateNode>> defines)
    {
        _source = source;
        _items = Split(source, text);
        _defines = defines;
    }

    /// <summary>Parses <paramref name="text"/>; its defines are added to <paramref name="defines"/>.</summary>
    public static IReadOnlyList<TemplateNode> Parse(string source, string text, Dictionary<string, IReadOnlyList<TemplateNode>> defines)
    {
        var parser = new TemplateParser(source, text, defines);
        var nodes = parser.Nodes(out var stop);
        if (stop is not null)
        {
            throw new TemplateSyntaxException($"{source}:{stop.Value.Line}: unexpected {{{{{stop.Value.Text}}}}}");
        }

        return nodes;
    }

    private List<TemplateNode> Nodes(out (string Text, int Line)? stop)
    {
        var nodes = new List<TemplateNode>();
        while (_at < _items.Count)
        {
            var (text, line, isAction) = _items[_at++];
            if (!isAction)
            {
                if (text.Length > 0)
                {
                    nodes.Add(new TextNode(text));
                }

                continue;
            }

            var keyword = text.Split([' ', '\t', '\n', '\r'], 2)[0];
            var rest = text[keyword.Length..].Trim();
            switch (keyword)
            {
                case "end" or "else":
                    stop = (text, line);
                    return nodes;
                case "if":
                    nodes.Add(If(rest, line));
                    break;
                case "range":
                {
                    var (body, otherwise) = Block(line, allowElseIf: false);
                    nodes.Add(new RangeNode(ParsePipeline(rest, line), body, otherwise, line));
                    break;
                }

                case "with":
                {
                    var (body, otherwise) = Block(line, allowElseIf: false);
                    nodes.Add(new WithNode(ParsePipeline(rest, line), body, otherwise, line));
                    break;
                }

                case "define":
                {
                    var name = (string)((LiteralTerm)ParsePipeline(rest, line).Commands[0].Arguments[0].Term).Value!;
                    var (body, otherwise) = Block(line, allowElseIf: false);
                    if (otherwise.Count > 0)
                    {
                        throw new TemplateSyntaxException($"{_source}:{line}: else in define");
                    }

                    _defines[name] = body;
                    break;
                }

                case "template" or "block" or "break" or "continue":
                    throw new TemplateSyntaxException($"{_source}:{line}: {keyword} is outside the rendered subset");
                default:
                    nodes.Add(new OutputNode(ParsePipeline(text, line), line));
                    break;
            }
        }

        stop = null;
        return nodes;
    }

    private IfNode If(string condition, int line)
    {
        var (then, otherwise) = Block(line, allowElseIf: true);
        return new IfNode(ParsePipeline(condition, line), then, otherwise, line);
    }

    private (List<TemplateNode> Body, List<TemplateNode> Else) Block(int line, bool allowElseIf)
    {
        var body = Nodes(out var stop);
        if (stop is null)
        {
            throw new TemplateSyntaxException($"{_source}:{line}: block never ended");
        }

        if (stop.Value.Text == "end")
        {
            return (body, []);
        }

        var elseText = stop.Value.Text["else".Length..].Trim();
        if (elseText.StartsWith("if ", StringComparison.Ordinal) && allowElseIf)
        {
            // "else if c" is an if nested in the else branch, sharing the outer block's end.
            return (body, [If(elseText[3..].Trim(), stop.Value.Line)]);
        }

        if (elseText.Length > 0)
        {
            throw new TemplateSyntaxException($"{_source}:{stop.Value.Line}: \"else {elseText}\" is outside the rendered subset");
        }

        var otherwise = Nodes(out var end);
        if (end is null || end.Value.Text != "end")
        {
            throw new TemplateSyntaxException($"{_source}:{line}: else branch never ended");
        }

        return (body, otherwise);
    }

    private static List<(string, int, bool)> Split(string source, string text)
    {
        var items = new List<(string Text, int Line, bool IsAction)>();
        var at = 0;
        var trimNext = false;
        while (at <= text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            var chunk = open < 0 ? text[at..] : text[at..open];
            if (trimNext)
            {
                chunk = chunk.TrimStart(' ', '\t', '\r', '\n');
            }

            if (open < 0)
            {
                items.Add((chunk, 0, false));
                break;
            }

            var trimBefore = open + 2 < text.Length && text[open + 2] == '-' && open + 3 < text.Length && char.IsWhiteSpace(text[open + 3]);
            if (trimBefore)
            {
                chunk = chunk.TrimEnd(' ', '\t', '\r', '\n');
            }

            items.Add((chunk, 0, false));
            var start = open + (trimBefore ? 3 : 2);
            var inner = text.AsSpan(start).TrimStart();
            var isComment = inner.StartsWith("/*", StringComparison.Ordinal);
            var close = isComment
                ? text.IndexOf("}}", text.IndexOf("*/", start, StringComparison.Ordinal), StringComparison.Ordinal)
                : CloseOf(text, start);
            if (close < 0)
            {
                throw new TemplateSyntaxException($"{source}:{LineOf(text, open)}: action never closed");
            }

            trimNext = close >= 2 && text[close - 1] == '-' && char.IsWhiteSpace(text[close - 2]);
            var body = text[start..(trimNext ? close - 1 : close)].Trim();
            if (!isComment)
            {
                items.Add((body, LineOf(text, open), true));
            }

            at = close + 2;
        }

        return items;
    }

    private static int CloseOf(string text, int from)
    {
        // Skips "}}" inside string literals.
        for (var i = from; i < text.Length - 1; i++)
        {
            switch (text[i])
            {
                case '"':
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\')
                        {
                            i++;
                        }
                    }

                    break;
                case '`':
                    i = text.IndexOf('`', i + 1);
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
                case '}' when text[i + 1] == '}':
                    return i;
            }
        }

        return -1;
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private Pipeline ParsePipeline(string text, int line)
    {
        var tokens = new TokenReader(Tokenize(text, line), _source, line);
        var pipeline = tokens.Pipeline();
        if (!tokens.AtEnd)
        {
            throw new TemplateSyntaxException($"{_source}:{line}: unexpected \"{tokens.Peek.Text}\" in \"{text}\"");
        }

        return pipeline;
    }

    private List<Token> Tokenize(string text, int line)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var spaced = i == 0 || char.IsWhiteSpace(text[i - 1]);
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c == '"')
            {
                var value = new StringBuilder();
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                        value.Append(text[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
                    }
                    else
                    {
                        value.Append(text[i]);
                    }
                }

                i++;
                tokens.Add(new Token(TokenKind.String, value.ToString(), spaced));
            }
            else if (c == '`')
            {
                var end = text.IndexOf('`', i + 1);
                tokens.Add(new Token(TokenKind.String, text[(i + 1)..end], spaced));
                i = end + 1;
            }
            else if (c is '(' or ')' or '|' or ',')
            {
                tokens.Add(new Token(TokenKind.Punctuation, c.ToString(), spaced));
                i++;
            }
            else if (c == ':' && i + 1 < text.Length && text[i + 1] == '=')
            {
                tokens.Add(new Token(TokenKind.Punctuation, ":=", spaced));
                i += 2;
            }
            else if (c == '=')
            {
                tokens.Add(new Token(TokenKind.Punctuation, "=", spaced));
                i++;
            }
            else if (c == '.' && (i + 1 >= text.Length || !IsNameChar(text[i + 1])))
            {
                tokens.Add(new Token(TokenKind.Dot, ".", spaced));
                i++;
            }
            else if (c == '.')
            {
                for (i++; i < text.Length && IsNameChar(text[i]); i++)
                {
                }

                tokens.Add(new Token(TokenKind.Field, text[(start + 1)..i], spaced));
            }
            else if (c == '$')
            {
                for (i++; i < text.Length && IsNameChar(text[i]); i++)
                {
                }

                tokens.Add(new Token(TokenKind.Variable, text[start..i], spaced));
            }
            else if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                for (i++; i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'); i++)
                {
                }

                var number = text[start..i];
                tokens.Add(new Token(TokenKind.Number, number, spaced));
            }
            else if (IsNameChar(c))
            {
                for (; i < text.Length && IsNameChar(text[i]); i++)
                {
                }

                tokens.Add(new Token(TokenKind.Name, text[start..i], spaced));
            }
            else
            {
                throw new TemplateSyntaxException($"{_source}:{line}: unexpected '{c}' in \"{text}\"");
            }
        }

        return tokens;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private enum TokenKind
    {
        String,
        Number,
        Name,
        Field,
        Variable,
        Dot,
        Punctuation,
    }

    private sealed record Token(TokenKind Kind, string Text, bool SpaceBefore);

    private sealed class TokenReader(List<Token> tokens, string source, int line)
    {
        private int _at;

        public bool AtEnd => _at >= tokens.Count;

        public Token Peek => tokens[_at];

        public Pipeline Pipeline()
        {
            var variables = new List<string>();
            var declares = false;
            var mark = _at;
            while (!AtEnd && Peek.Kind == TokenKind.Variable)
            {
                variables.Add(tokens[_at++].Text);
                if (!AtEnd && Peek.Text == ",")
                {
                    _at++;
                    continue;
                }

                break;
            }

            if (variables.Count > 0 && !AtEnd && Peek.Text is ":=" or "=")
            {
                declares = tokens[_at++].Text == ":=";
            }
            else
            {
                variables.Clear();
                _at = mark;
            }

            var commands = new List<Command> { Command() };
            while (!AtEnd && Peek.Text == "|")
            {
                _at++;
                commands.Add(Command());
            }

            return new Pipeline(variables, declares, commands);
        }

        private Command Command()
        {
            var arguments = new List<Operand>();
            while (!AtEnd && Peek.Text is not ("|" or ")"))
            {
                arguments.Add(Operand());
            }

            if (arguments.Count == 0)
            {
                throw new TemplateSyntaxException($"{source}:{line}: empty command");
            }

            return new Command(arguments);
        }

        private Operand Operand()
        {
            var token = tokens[_at++];
            Term term;
            var fields = new List<string>();
            switch (token.Kind)
            {
                case TokenKind.String:
                    term = new LiteralTerm(token.Text);
                    break;
                case TokenKind.Number:
                    term = new LiteralTerm(token.Text.Contains('.', StringComparison.Ordinal)
                        ? double.Parse(token.Text, CultureInfo.InvariantCulture)
                        : long.Parse(token.Text, CultureInfo.InvariantCulture));
                    break;
                case TokenKind.Name:
                    term = token.Text switch
                    {
                        "true" => new LiteralTerm(true),
                        "false" => new LiteralTerm(false),
                        "nil" => new LiteralTerm(null),
                        _ => new FunctionTerm(token.Text),
                    };
                    break;
                case TokenKind.Dot:
                    term = new DotTerm();
                    break;
                case TokenKind.Field:
                    term = new DotTerm();
                    fields.Add(token.Text);
                    break;
                case TokenKind.Variable:
                    term = new VariableTerm(token.Text);
                    break;
                case TokenKind.Punctuation when token.Text == "(":
                    term = new ParenthesizedTerm(Pipeline());
                    if (AtEnd || tokens[_at++].Text != ")")
                    {
                        throw new TemplateSyntaxException($"{source}:{line}: unclosed parenthesis");
                    }

                    break;
                default:
                    throw new TemplateSyntaxException($"{source}:{line}: unexpected \"{token.Text}\"");
            }

            // Fields bind to the term only when written against it: "$x.a", "(f).AsConfig".
            while (!AtEnd && Peek.Kind == TokenKind.Field && !Peek.SpaceBefore)
            {
                fields.Add(tokens[_at++].Text);
            }

            return new Operand(term, fields);
        }
    }
}
