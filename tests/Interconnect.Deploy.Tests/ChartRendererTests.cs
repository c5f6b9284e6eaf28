using Interconnect.Deploy.Tests.Support;
using Interconnect.Deploy.Tests.Support.Rendering;

namespace Interconnect.Deploy.Tests;

/// <summary>The test project's Go-template renderer does what Go's text/template and Helm do, for the subset it covers.</summary>
public sealed class ChartRendererTests
{
    private static string Render(string template, string values = "{}") => ChartRenderer.RenderText(template, ValuesYaml.Parse(values));

    [Fact]
    public void TrimMarkers_RemoveWhitespaceOnTheirSideOnly() =>
        Assert.Equal("a:b\nc", Render("a: {{- \"\" }}b\n{{ \"\" -}}   \n c"));

    [Fact]
    public void IfElseIfElse_PicksOneBranch()
    {
        const string template = "{{ if eq .Values.k \"a\" }}A{{ else if .Values.flag }}F{{ else }}E{{ end }}";

        Assert.Equal("A", Render(template, "k: a"));
        Assert.Equal("F", Render(template, "k: b\nflag: true"));
        Assert.Equal("E", Render(template, "k: b\nflag: false"));
    }

    [Fact]
    public void Range_BindsIndexAndElement_AndVariablesEndWithTheirBlock()
    {
        Assert.Equal("0=x;1=z;", Render("{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}", "l: [x, z]"));
        Assert.Throws<RenderException>(() => Render("{{ range $v := .Values.l }}{{ end }}{{ $v }}", "l: [x]"));
    }

    [Fact]
    public void With_MovesDotAndFallsBackToElse()
    {
        Assert.Equal("b", Render("{{ with .Values.m }}{{ .a }}{{ else }}none{{ end }}", "m: { a: b }"));
        Assert.Equal("none", Render("{{ with .Values.m }}{{ .a }}{{ else }}none{{ end }}", "m: {}"));
    }

    [Fact]
    public void DefineAndInclude_RenderWithTheGivenDot() =>
        Assert.Equal("[v]", Render("{{- define \"t\" -}}[{{ .Values.a }}]{{- end -}}{{ include \"t\" . }}", "a: v"));

    [Fact]
    public void Quote_EscapesLikeGo() =>
        Assert.Equal("\"a\\\"b\\nc\"", Render("{{ .Values.s | quote }}", "s: \"a\\\"b\\nc\""));

    [Fact]
    public void ToYamlAndNindent_IndentEveryLine() =>
        Assert.Equal("x:\n  a: 1\n  b:\n  - c", Render("x:{{ toYaml .Values.m | nindent 2 }}", "m: { b: [c], a: 1 }"));

    [Fact]
    public void Required_FailsOnEmpty_AndDefaultFillsIt()
    {
        Assert.Contains("need a", Assert.Throws<RenderException>(() => Render("{{ required \"need a\" .Values.a }}", "a: \"\"")).Message, StringComparison.Ordinal);
        Assert.Equal("d", Render("{{ .Values.a | default \"d\" }}", "a: \"\""));
    }

    [Fact]
    public void LowerRegexMatchAndSub_DoWhatSprigDoes()
    {
        Assert.Equal("nl", Render("{{ lower .Values.a }}", "a: NL"));
        Assert.Equal("true false", Render("{{ regexMatch \"^[a-z]+$\" .Values.a }} {{ regexMatch \"^[a-z]+$\" .Values.b }}", "a: nl\nb: eu.nl"));
        Assert.Equal("120", Render("{{ sub (int .Values.a) 30 }}", "a: 150"));
        // Go refuses nil for a string parameter, so a missing value fails the render as in Helm.
        Assert.Throws<RenderException>(() => Render("{{ lower .Values.missing }}"));
    }

    [Fact]
    public void UnknownFunction_Throws() =>
        Assert.Throws<RenderException>(() => Render("{{ tpl .Values.a . }}", "a: x"));
}
