using Interconnect.Deploy.Tests.Support;

namespace Interconnect.Deploy.Tests;

/// <summary>The draft-07 subset validator the schema tests rely on, checked on small schemas.</summary>
public sealed class SchemaValidatorTests
{
    [Fact]
    public void Integer_AcceptsWholeNumbersOnly()
    {
        var schema = SchemaValidator.FromText("""{ "type": "integer" }""");

        Assert.Empty(schema.Validate(3L));
        Assert.Empty(schema.Validate(3.0));
        Assert.Equal("type", Assert.Single(schema.Validate(3.5)).Keyword);
        Assert.Equal("type", Assert.Single(schema.Validate("3")).Keyword);
    }

    [Fact]
    public void Pattern_IsUnanchoredAsInJsonSchema()
    {
        var schema = SchemaValidator.FromText("""{ "type": "string", "pattern": "b+" }""");

        Assert.Empty(schema.Validate("abbc"));
        Assert.Equal("pattern", Assert.Single(schema.Validate("ac")).Keyword);
    }

    [Fact]
    public void Ref_FollowsDefinitions()
    {
        var schema = SchemaValidator.FromText("""
            { "type": "object", "properties": { "port": { "$ref": "#/definitions/port" } },
              "definitions": { "port": { "type": "integer", "minimum": 1, "maximum": 65535 } } }
            """);

        var error = Assert.Single(schema.Validate(ValuesYaml.Parse("port: 0")));

        Assert.Equal(("$.port", "minimum"), (error.Path, error.Keyword));
    }

    [Fact]
    public void IfThenElse_AppliesTheBranchTheConditionPicks()
    {
        var schema = SchemaValidator.FromText("""
            { "type": "object",
              "if": { "required": ["kind"], "properties": { "kind": { "const": "RabbitMq" } } },
              "then": { "required": ["broker"] },
              "else": { "properties": { "broker": { "type": "null" } } } }
            """);

        var missing = Assert.Single(schema.Validate(ValuesYaml.Parse("kind: RabbitMq")));
        Assert.Equal(("$", "required"), (missing.Path, missing.Keyword));
        Assert.Empty(schema.Validate(ValuesYaml.Parse("kind: RabbitMq\nbroker: x")));
        Assert.Empty(schema.Validate(ValuesYaml.Parse("kind: InMemory")));
        Assert.Equal("type", Assert.Single(schema.Validate(ValuesYaml.Parse("kind: InMemory\nbroker: x"))).Keyword);
    }

    [Fact]
    public void AdditionalPropertiesFalse_NamesTheUnknownKey()
    {
        var schema = SchemaValidator.FromText("""{ "type": "object", "properties": { "a": {} }, "additionalProperties": false }""");

        var error = Assert.Single(schema.Validate(ValuesYaml.Parse("a: 1\nb: 2")));

        Assert.Equal(("$.b", "additionalProperties"), (error.Path, error.Keyword));
    }

    [Fact]
    public void KeywordOutsideTheSubset_Throws()
    {
        var schema = SchemaValidator.FromText("""{ "type": "object", "propertyNames": { "pattern": "^[a-z]+$" } }""");

        var thrown = Assert.Throws<NotSupportedException>(() => schema.Validate(ValuesYaml.Parse("a: 1")));

        Assert.Contains("propertyNames", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefToMissingDefinition_Throws()
    {
        var schema = SchemaValidator.FromText("""{ "$ref": "#/definitions/absent" }""");

        Assert.Throws<InvalidDataException>(() => schema.Validate(1L));
    }

    [Fact]
    public void Describe_FollowsItemsAndRefsOfTheChartSchema()
    {
        var schema = SchemaValidator.ForChart();

        Assert.NotNull(schema.Describe("partners[].link.secretName"));
        Assert.NotNull(schema.Describe("networkPolicy.egress.dns.ports"));
        Assert.NotNull(schema.Describe("podAnnotations.anything"));
        Assert.Null(schema.Describe("partners[].lnk"));
        Assert.Null(schema.Describe("tls.http"));
    }
}
