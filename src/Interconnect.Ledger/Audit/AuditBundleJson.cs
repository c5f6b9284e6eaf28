using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;

namespace Interconnect.Ledger.Audit;

/// <summary>
/// The JSON form of an audit bundle (docs/audit-bundles.md): UTF-8, members in a fixed order, byte
/// fields as standard base64, times as <c>YYYY-MM-DDTHH:MM:SS.ffffffZ</c>. Decoding never throws on
/// bad input: it returns the bundle or the one problem that stops it from being read.
/// </summary>
public static class AuditBundleJson
{
    private const string ScopeEntity = "entity";
    private const string ScopeLogRange = "log-range";

    /// <summary>Writes <paramref name="bundle"/> as indented UTF-8 JSON.</summary>
    public static byte[] Encode(AuditBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,

            // Field values stay readable UTF-8 (an auditor reads this file); the bundle is never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            w.WriteStartObject();
            w.WriteString("format", AuditBundle.FormatName);
            w.WriteNumber("version", AuditBundle.FormatVersion);
            w.WriteString("origin", bundle.Origin);
            w.WriteStartObject("scope");
            switch (bundle.Scope)
            {
                case AuditScope.Entity entity:
                    w.WriteString("type", ScopeEntity);
                    w.WriteString("entityKind", entity.EntityKind);
                    w.WriteString("entityId", entity.EntityId);
                    break;
                case AuditScope.LogRange range:
                    w.WriteString("type", ScopeLogRange);
                    w.WriteString("from", KeySetFormat.FormatTime(range.From));
                    w.WriteString("to", KeySetFormat.FormatTime(range.To));
                    break;
                default:
                    throw new ArgumentException($"Unknown scope {bundle.Scope}.", nameof(bundle));
            }

            w.WriteEndObject();
            w.WriteString("exportedAt", KeySetFormat.FormatTime(bundle.ExportedAt));
            w.WriteStartArray("keySet");
            foreach (var entry in bundle.KeySet)
            {
                WriteEntry(w, entry, withProof: false);
            }

            w.WriteEndArray();
            w.WriteBase64String("checkpoint", bundle.Checkpoint);
            w.WriteStartArray("entries");
            foreach (var entry in bundle.Entries)
            {
                WriteEntry(w, entry, withProof: true);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a bundle; never throws on bad input.</summary>
    public static AuditBundleDecoding Decode(ReadOnlySpan<byte> json)
    {
        var copy = json.ToArray();
        try
        {
            using var document = JsonDocument.Parse(copy, new JsonDocumentOptions { MaxDepth = 16 });
            return new AuditBundleDecoding(Read(document.RootElement), null);
        }
        catch (JsonException e)
        {
            return Fail(new AuditProblem.MalformedBundle("$", "not JSON: " + e.Message));
        }
        catch (BundleReadException e)
        {
            return Fail(e.Problem);
        }
    }

    private static AuditBundleDecoding Fail(AuditProblem problem) => new(null, problem);

    private static void WriteEntry(Utf8JsonWriter w, BundledEntry entry, bool withProof)
    {
        w.WriteStartObject();
        w.WriteBase64String("entry", entry.Entry);
        w.WriteStartArray("fields");
        foreach (var field in entry.Fields.IsDefault ? [] : entry.Fields)
        {
            w.WriteStartObject();
            w.WriteString("name", field.Name);
            w.WriteString("value", field.Value);
            w.WriteBase64String("salt", field.Salt);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (withProof && entry.InclusionProof is { } proof)
        {
            w.WriteBase64String("inclusionProof", proof);
        }

        w.WriteEndObject();
    }

    private static AuditBundle Read(JsonElement root)
    {
        var top = new Members(root, "$");

        // The format and version come first, so a bundle of another version says so instead of
        // failing on whichever member that version changed.
        var format = top.String("format");
        if (!string.Equals(format, AuditBundle.FormatName, StringComparison.Ordinal))
        {
            throw Malformed("format", $"\"{format}\" is not \"{AuditBundle.FormatName}\"");
        }

        var version = top.Required("version");
        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != AuditBundle.FormatVersion)
        {
            throw new BundleReadException(new AuditProblem.UnsupportedFormatVersion(version.GetRawText()));
        }

        var origin = Identifier(top.String("origin"), "origin");
        var scope = ReadScope(new Members(top.Required("scope"), "scope"));
        var exportedAt = Time(top.String("exportedAt"), "exportedAt");
        var keySet = ReadEntries(top.Required("keySet"), "keySet", withProof: false);
        var checkpoint = Base64(top.Required("checkpoint"), "checkpoint");
        var entries = ReadEntries(top.Required("entries"), "entries", withProof: true);
        top.NoOthers();
        return new AuditBundle(origin, scope, exportedAt, keySet, checkpoint, entries);
    }

    private static AuditScope ReadScope(Members scope)
    {
        var type = scope.String("type");
        switch (type)
        {
            case ScopeEntity:
                var kind = Identifier(scope.String("entityKind"), "scope.entityKind");
                var id = Identifier(scope.String("entityId"), "scope.entityId");
                scope.NoOthers();
                return new AuditScope.Entity(kind, id);
            case ScopeLogRange:
                var from = Time(scope.String("from"), "scope.from");
                var to = Time(scope.String("to"), "scope.to");
                scope.NoOthers();
                return from < to ? new AuditScope.LogRange(from, to) : throw Malformed("scope", "the range is empty: from is not before to");
            default:
                throw Malformed("scope.type", $"\"{type}\" is neither \"{ScopeEntity}\" nor \"{ScopeLogRange}\"");
        }
    }

    private static ImmutableArray<BundledEntry> ReadEntries(JsonElement array, string path, bool withProof)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, "an array is required");
        }

        var count = array.GetArrayLength();
        if (count > AuditBundle.MaxEntries)
        {
            throw Malformed(path, $"{count} entries; at most {AuditBundle.MaxEntries} are allowed");
        }

        var result = ImmutableArray.CreateBuilder<BundledEntry>(count);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
            var members = new Members(item, at);
            var entry = Base64(members.Required("entry"), at + ".entry");
            var fields = ReadFields(members.Required("fields"), at + ".fields");
            var proof = withProof ? Base64(members.Required("inclusionProof"), at + ".inclusionProof") : null;
            members.NoOthers();
            result.Add(new BundledEntry(entry, fields, proof));
            i++;
        }

        return result.MoveToImmutable();
    }

    private static ImmutableArray<DisclosedField> ReadFields(JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, "an array is required");
        }

        var result = ImmutableArray.CreateBuilder<DisclosedField>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
            var members = new Members(item, at);
            var name = Identifier(members.String("name"), at + ".name");
            var value = members.String("value");
            var salt = Base64(members.Required("salt"), at + ".salt");
            members.NoOthers();
            result.Add(new DisclosedField(name, value, salt));
            i++;
        }

        return result.MoveToImmutable();
    }

    private static string Identifier(string value, string path) =>
        Entries.Identifier.Explain(value) is { } problem ? throw Malformed(path, $"\"{value}\" {problem}") : value;

    private static DateTimeOffset Time(string value, string path) =>
        KeySetFormat.TryParseTime(value, out var time)
            ? time
            : throw Malformed(path, $"\"{value}\" is not a time of the form 2026-11-20T10:00:00.000000Z");

    private static byte[] Base64(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String || !element.TryGetBytesFromBase64(out var bytes))
        {
            throw Malformed(path, "base64 text is required");
        }

        return bytes;
    }

    private static BundleReadException Malformed(string path, string detail) =>
        new(new AuditProblem.MalformedBundle(path, detail));

    // The members of one JSON object, read by name; NoOthers refuses any member not read, so nothing in
    // a bundle escapes verification by hiding under a misspelt name.
    private sealed class Members
    {
        private readonly JsonElement _element;
        private readonly string _path;
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public Members(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(path, "an object is required");
            }

            _element = element;
            _path = path;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Malformed(Child(property.Name), "the member appears twice");
                }
            }
        }

        public JsonElement Required(string name)
        {
            _read.Add(name);
            return _element.TryGetProperty(name, out var value) ? value : throw Malformed(Child(name), "the member is missing");
        }

        public string String(string name)
        {
            var value = Required(name);
            if (value.ValueKind != JsonValueKind.String)
            {
                throw Malformed(Child(name), "a string is required");
            }

            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                // An escaped lone surrogate: JSON's syntax allows it, but it is no text, and no UTF-8 to hash.
                throw Malformed(Child(name), "the string is not valid Unicode: " + e.Message);
            }
        }

        public void NoOthers()
        {
            foreach (var property in _element.EnumerateObject())
            {
                if (!_read.Contains(property.Name))
                {
                    throw Malformed(Child(property.Name), "this member is not part of the format");
                }
            }
        }

        private string Child(string name) => _path == "$" ? name : $"{_path}.{name}";
    }

    private sealed class BundleReadException(AuditProblem problem) : Exception(problem.Describe())
    {
        public AuditProblem Problem { get; } = problem;
    }
}

/// <summary>The outcome of reading a bundle: the bundle, or the problem that stopped the reading.</summary>
/// <param name="Bundle">The bundle, when it read.</param>
/// <param name="Problem">A <see cref="AuditProblem.MalformedBundle"/> or <see cref="AuditProblem.UnsupportedFormatVersion"/>.</param>
public sealed record AuditBundleDecoding(AuditBundle? Bundle, AuditProblem? Problem)
{
    /// <summary>True when the bundle read.</summary>
    public bool Ok => Bundle is not null;
}
