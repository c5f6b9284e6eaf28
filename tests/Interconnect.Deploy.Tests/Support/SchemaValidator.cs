using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Interconnect.Deploy.Tests.Support;

/// <summary>One way a value breaks the schema: where (a JSON path), which keyword, and why.</summary>
internal sealed record SchemaError(string Path, string Keyword, string Message)
{
    public override string ToString() => $"{Path}: {Keyword}: {Message}";
}

/// <summary>
/// The part of JSON Schema draft-07 that the chart's values.schema.json uses, applied to values read
/// by <see cref="ValuesYaml"/>. No validator package restores from the project's feed. A keyword
/// outside the subset throws, so the schema cannot quietly rely on something that is not checked.
/// </summary>
internal sealed class SchemaValidator
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "$comment", "title", "description", "default", "examples"];

    private static readonly HashSet<string> Supported =
    [
        "type", "enum", "const", "required", "properties", "additionalProperties", "items", "minItems", "maxItems",
        "pattern", "minLength", "maxLength", "minimum", "maximum", "$ref", "definitions", "allOf", "if", "then", "else",
    ];

    private readonly JsonElement _root;

    public SchemaValidator(JsonElement root)
    {
        _root = root;
    }

    public static SchemaValidator ForChart() => FromFile(Repository.ChartFile("values.schema.json"));

    public static SchemaValidator FromFile(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new SchemaValidator(document.RootElement.Clone());
    }

    public static SchemaValidator FromText(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new SchemaValidator(document.RootElement.Clone());
    }

    public JsonElement Root => _root;

    public IReadOnlyList<SchemaError> Validate(object? value)
    {
        var errors = new List<SchemaError>();
        Check(_root, value, "$", errors);
        return errors;
    }

    /// <summary>The schema that applies at a values path ("partners[].link.secretName"), following $ref, allOf and items; null if none declares it.</summary>
    public JsonElement? Describe(string path)
    {
        var current = _root;
        foreach (var rawStep in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var isItem = rawStep.EndsWith("[]", StringComparison.Ordinal);
            var step = isItem ? rawStep[..^2] : rawStep;
            if (Property(current, step) is not { } next)
            {
                return null;
            }

            current = next;
            if (isItem)
            {
                if (Resolve(current).TryGetProperty("items", out var items))
                {
                    current = items;
                }
                else
                {
                    return null;
                }
            }
        }

        return current;
    }

    private JsonElement? Property(JsonElement schema, string name)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out var declared))
        {
            return declared;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                if (Property(part, name) is { } found)
                {
                    return found;
                }
            }
        }

        // A free-form map (annotations, resource requests): any key, typed by additionalProperties.
        if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
        {
            return additional;
        }

        // An object with neither (a NetworkPolicyPeer, affinity): anything beneath it is allowed.
        if (!schema.TryGetProperty("properties", out _) && !schema.TryGetProperty("additionalProperties", out _)
            && schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "object")
        {
            return schema;
        }

        return null;
    }

    private JsonElement Resolve(JsonElement schema)
    {
        for (var hops = 0; schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference); hops++)
        {
            if (hops > 32)
            {
                throw new InvalidDataException("A $ref cycle in the schema.");
            }

            schema = Definition(reference.GetString()!);
        }

        return schema;
    }

    private JsonElement Definition(string reference)
    {
        const string prefix = "#/definitions/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"$ref \"{reference}\": only {prefix}<name> is supported.");
        }

        var name = reference[prefix.Length..];
        if (!_root.TryGetProperty("definitions", out var definitions) || !definitions.TryGetProperty(name, out var definition))
        {
            throw new InvalidDataException($"$ref \"{reference}\" names no definition.");
        }

        return definition;
    }

    private void Check(JsonElement schema, object? value, string path, List<SchemaError> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add(new SchemaError(path, "false", "no value is allowed here"));
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Supported.Contains(keyword.Name) && !Annotations.Contains(keyword.Name))
            {
                throw new NotSupportedException($"Schema keyword \"{keyword.Name}\" (at {path}) is outside the validated subset.");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            // Draft-07: a $ref replaces its siblings.
            Check(Definition(reference.GetString()!), value, path, errors);
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !HasType(type, value))
        {
            errors.Add(new SchemaError(path, "type", $"{Show(value)} is not {TypeText(type)}"));
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonEquals(a, value)))
        {
            errors.Add(new SchemaError(path, "enum", $"{Show(value)} is not one of {allowed.GetRawText()}"));
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonEquals(constant, value))
        {
            errors.Add(new SchemaError(path, "const", $"{Show(value)} is not {constant.GetRawText()}"));
        }

        switch (value)
        {
            case string text:
                CheckString(schema, text, path, errors);
                break;
            case long or double:
                CheckNumber(schema, System.Convert.ToDouble(value, CultureInfo.InvariantCulture), path, errors);
                break;
            case Dictionary<string, object?> map:
                CheckObject(schema, map, path, errors);
                break;
            case List<object?> list:
                CheckArray(schema, list, path, errors);
                break;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                Check(part, value, path, errors);
            }
        }

        if (schema.TryGetProperty("if", out var condition))
        {
            var probe = new List<SchemaError>();
            Check(condition, value, path, probe);
            var branch = probe.Count == 0 ? "then" : "else";
            if (schema.TryGetProperty(branch, out var applied))
            {
                Check(applied, value, path, errors);
            }
        }
    }

    private static void CheckString(JsonElement schema, string text, string path, List<SchemaError> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32())
        {
            errors.Add(new SchemaError(path, "minLength", $"\"{text}\" is shorter than {min.GetInt32()}"));
        }

        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32())
        {
            errors.Add(new SchemaError(path, "maxLength", $"\"{text}\" is longer than {max.GetInt32()}"));
        }

        // JSON Schema patterns are ECMA-262 and unanchored; the chart's patterns anchor themselves.
        if (schema.TryGetProperty("pattern", out var pattern)
            && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.ECMAScript, TimeSpan.FromSeconds(1)))
        {
            errors.Add(new SchemaError(path, "pattern", $"\"{text}\" does not match {pattern.GetString()}"));
        }
    }

    private static void CheckNumber(JsonElement schema, double number, string path, List<SchemaError> errors)
    {
        if (schema.TryGetProperty("minimum", out var min) && number < min.GetDouble())
        {
            errors.Add(new SchemaError(path, "minimum", $"{number.ToString(CultureInfo.InvariantCulture)} is below {min.GetRawText()}"));
        }

        if (schema.TryGetProperty("maximum", out var max) && number > max.GetDouble())
        {
            errors.Add(new SchemaError(path, "maximum", $"{number.ToString(CultureInfo.InvariantCulture)} is above {max.GetRawText()}"));
        }
    }

    private void CheckObject(JsonElement schema, Dictionary<string, object?> map, string path, List<SchemaError> errors)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!map.ContainsKey(name))
                {
                    errors.Add(new SchemaError(path, "required", $"\"{name}\" is required"));
                }
            }
        }

        var declared = schema.TryGetProperty("properties", out var properties) ? properties : default;
        foreach (var (key, item) in map)
        {
            var at = $"{path}.{key}";
            if (declared.ValueKind == JsonValueKind.Object && declared.TryGetProperty(key, out var propertySchema))
            {
                Check(propertySchema, item, at, errors);
            }
            else if (schema.TryGetProperty("additionalProperties", out var additional))
            {
                if (additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add(new SchemaError(at, "additionalProperties", $"\"{key}\" is not a known key"));
                }
                else
                {
                    Check(additional, item, at, errors);
                }
            }
        }
    }

    private void CheckArray(JsonElement schema, List<object?> list, string path, List<SchemaError> errors)
    {
        if (schema.TryGetProperty("minItems", out var min) && list.Count < min.GetInt32())
        {
            errors.Add(new SchemaError(path, "minItems", $"{list.Count} items, at least {min.GetInt32()} needed"));
        }

        if (schema.TryGetProperty("maxItems", out var max) && list.Count > max.GetInt32())
        {
            errors.Add(new SchemaError(path, "maxItems", $"{list.Count} items, at most {max.GetInt32()} allowed"));
        }

        if (schema.TryGetProperty("items", out var items))
        {
            if (items.ValueKind == JsonValueKind.Array)
            {
                throw new NotSupportedException($"Tuple \"items\" (at {path}) is outside the validated subset.");
            }

            for (var i = 0; i < list.Count; i++)
            {
                Check(items, list[i], $"{path}[{i}]", errors);
            }
        }
    }

    private static bool HasType(JsonElement type, object? value) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => IsType(t.GetString()!, value))
            : IsType(type.GetString()!, value);

    private static bool IsType(string type, object? value) => type switch
    {
        "object" => value is Dictionary<string, object?>,
        "array" => value is List<object?>,
        "string" => value is string,
        "boolean" => value is bool,
        "null" => value is null,
        "integer" => value is long || (value is double d && Math.Floor(d) == d && !double.IsInfinity(d)),
        "number" => value is long or double,
        _ => throw new NotSupportedException($"Type \"{type}\" is not a JSON Schema type."),
    };

    private static string TypeText(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString()!;

    private static bool JsonEquals(JsonElement expected, object? value) => expected.ValueKind switch
    {
        JsonValueKind.String => value is string s && s == expected.GetString(),
        JsonValueKind.True => value is true,
        JsonValueKind.False => value is false,
        JsonValueKind.Null => value is null,
        JsonValueKind.Number => value is long or double && System.Convert.ToDouble(value, CultureInfo.InvariantCulture) == expected.GetDouble(),
        _ => throw new NotSupportedException($"enum/const of {expected.ValueKind} is outside the validated subset."),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"string \"{(s.Length > 40 ? s[..40] + "..." : s)}\"",
        bool b => b ? "boolean true" : "boolean false",
        long or double => $"number {System.Convert.ToString(value, CultureInfo.InvariantCulture)}",
        Dictionary<string, object?> => "an object",
        List<object?> => "an array",
        _ => value.GetType().Name,
    };
}
