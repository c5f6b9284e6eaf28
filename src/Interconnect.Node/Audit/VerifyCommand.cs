using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Interconnect.Ledger.Audit;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;

namespace Interconnect.Node.Audit;

/// <summary>
/// <c>Interconnect.Node verify &lt;bundle-file&gt; [--trust-key &lt;pem-file&gt; | --trust-key-id &lt;id&gt;] [--json]</c>:
/// the auditor's offline check of an audit bundle. Reads one file (and the trusted key's PEM file),
/// nothing else: no network, no storage, no configuration. Exit codes: 0 valid, 1 invalid, 2 usage
/// error or unreadable file.
/// </summary>
public static class VerifyCommand
{
    /// <summary>The exit code of a valid bundle.</summary>
    public const int Valid = 0;

    /// <summary>The exit code of a bundle with problems (including one that does not read as a bundle).</summary>
    public const int Invalid = 1;

    /// <summary>The exit code of a usage error or an unreadable file.</summary>
    public const int UsageError = 2;

    /// <summary>The usage text.</summary>
    public const string Usage =
        """
        usage: Interconnect.Node verify <bundle-file> [--trust-key <pem-file> | --trust-key-id <key-id>] [--json]

          Verifies an audit bundle offline: the key set, the checkpoint's signature, and every entry's
          signature, field digests, chain links and inclusion proof (docs/audit-bundles.md).
          --trust-key     the administration's published public key (PEM) to anchor the key set in
          --trust-key-id  the same, as its key id (32 hex digits)
          --json          print the result as JSON
          Without a trusted key the key set anchors itself: compare the fingerprint printed with the
          one the administration publishes. Exit code 0 valid, 1 invalid, 2 usage error or unreadable file.
        """;

    // A bundle at its largest (10,000 entries of the largest size) stays well below this.
    private const long MaxFileBytes = 1L << 30;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? file = null;
        string? trustKeyFile = null;
        string? trustKeyId = null;
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--trust-key" when i + 1 < args.Count:
                    trustKeyFile = args[++i];
                    break;
                case "--trust-key-id" when i + 1 < args.Count:
                    trustKeyId = args[++i];
                    break;
                case var arg when arg.StartsWith('-') || file is not null:
                    return Fail(error, $"verify: unexpected argument \"{arg}\".");
                case var arg:
                    file = arg;
                    break;
            }
        }

        if (file is null)
        {
            return Fail(error, "verify: the bundle file is missing.");
        }

        if (trustKeyFile is not null && trustKeyId is not null)
        {
            return Fail(error, "verify: give --trust-key or --trust-key-id, not both.");
        }

        AuditVerificationOptions options;
        try
        {
            options = trustKeyFile is not null
                ? AuditVerificationOptions.TrustingKey(PublicKey.FromPem(File.ReadAllText(trustKeyFile)))
                : trustKeyId is not null ? new AuditVerificationOptions(trustKeyId) : new AuditVerificationOptions();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            return Fail(error, $"verify: cannot use the trusted key {trustKeyFile ?? trustKeyId}: {e.Message}", usage: false);
        }

        byte[] bytes;
        try
        {
            var length = new FileInfo(file).Length;
            if (length > MaxFileBytes)
            {
                return Fail(error, $"verify: {file} is {length} bytes; a bundle file is at most {MaxFileBytes}.", usage: false);
            }

            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(error, $"verify: cannot read {file}: {e.Message}", usage: false);
        }

        var result = AuditBundleVerifier.Verify(bytes, options);
        output.Write(json ? Json(file, result) : Text(file, result));
        return result.IsValid ? Valid : Invalid;
    }

    private static int Fail(TextWriter error, string message, bool usage = true)
    {
        error.WriteLine(message);
        if (usage)
        {
            error.WriteLine(Usage);
        }

        return UsageError;
    }

    private static string Text(string file, AuditVerification result)
    {
        var text = new StringBuilder();
        var checkedWhat = result.Summary is { } s ? Checked(s) : null;
        if (result.IsValid)
        {
            text.Append(CultureInfo.InvariantCulture, $"valid: {checkedWhat}").AppendLine();
        }
        else
        {
            var count = result.Problems.Length;
            text.Append(CultureInfo.InvariantCulture, $"invalid: {count} problem{(count == 1 ? string.Empty : "s")} in {file}{(checkedWhat is null ? string.Empty : $" ({checkedWhat})")}").AppendLine();
            foreach (var problem in result.Problems)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {problem.Kind}: {problem.Describe()}").AppendLine();
            }
        }

        if (result.Anchor is { } anchor && result.Summary is { } summary)
        {
            text.AppendLine(AnchorLine(summary.Origin, anchor));
        }

        return text.ToString();
    }

    private static string Checked(AuditSummary s)
    {
        var what = s.Scope is AuditScope.Entity ? $"the ledger of {s.Scope.Describe()}" : s.Scope.Describe();
        var checkpoint = s.Checkpoint is { } c
            ? $"checkpoint size {c.TreeSize} (root {c.RootHash}, {KeySetFormat.FormatTime(c.Timestamp)})"
            : "no readable checkpoint";
        var signatures = s.SignaturesChecked ? "signatures, field digests, chain links and inclusion proofs checked" : "signatures NOT checked (no trusted key set)";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{s.Entries} entr{(s.Entries == 1 ? "y" : "ies")} of {s.Origin}, {what}; {signatures} against {checkpoint}; signer key ids: {string.Join(", ", s.SignerKeyIds)}");
    }

    private static string AnchorLine(string origin, AuditAnchor anchor)
    {
        var fingerprint = anchor.Fingerprint is null ? string.Empty : $" (SHA-256 of its public key: {anchor.Fingerprint})";
        return (anchor.SelfAnchored, anchor.Fingerprint) switch
        {
            (true, _) => $"key set: self-anchored on genesis key {anchor.GenesisKeyId}{fingerprint}; compare it with the key {origin} publishes, or pass --trust-key",
            (false, null) => $"key set: NOT anchored in the trusted key (the bundle's genesis key is {anchor.GenesisKeyId})",
            (false, _) => $"key set: anchored in the trusted key, genesis key {anchor.GenesisKeyId}{fingerprint}",
        };
    }

    private static string Json(string file, AuditVerification result)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteBoolean("valid", result.IsValid);
            w.WriteString("file", file);
            if (result.Summary is { } s)
            {
                w.WriteString("origin", s.Origin);
                w.WriteString("scope", s.Scope.Describe());
                w.WriteNumber("entries", s.Entries);
                if (s.Checkpoint is { } c)
                {
                    w.WriteStartObject("checkpoint");
                    w.WriteNumber("treeSize", c.TreeSize);
                    w.WriteString("rootHash", c.RootHash.ToString());
                    w.WriteString("timestamp", KeySetFormat.FormatTime(c.Timestamp));
                    w.WriteEndObject();
                }

                w.WriteStartArray("signerKeyIds");
                foreach (var keyId in s.SignerKeyIds)
                {
                    w.WriteStringValue(keyId);
                }

                w.WriteEndArray();
                w.WriteBoolean("signaturesChecked", s.SignaturesChecked);
            }

            if (result.Anchor is { } anchor)
            {
                w.WriteStartObject("anchor");
                w.WriteBoolean("selfAnchored", anchor.SelfAnchored);
                w.WriteString("genesisKeyId", anchor.GenesisKeyId);
                w.WriteString("fingerprint", anchor.Fingerprint);
                w.WriteEndObject();
            }

            w.WriteStartArray("problems");
            foreach (var problem in result.Problems)
            {
                w.WriteStartObject();
                w.WriteString("kind", problem.Kind);
                w.WriteString("message", problem.Describe());
                if (problem.Entry is { } entry)
                {
                    w.WriteNumber("position", entry.Position);
                    w.WriteString("entityKind", entry.EntityKind);
                    w.WriteString("entityId", entry.EntityId);
                    w.WriteNumber("sequence", entry.Sequence);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }
}
