using System.Globalization;
using Interconnect.Ledger.Entries;

namespace Interconnect.Node.Configuration;

/// <summary>
/// Who may use the HTTP API (docs/access-control.md): the principals the node knows, each with one
/// role and its credentials, and the rate limits of the public verification endpoints.
/// </summary>
public sealed class AccessOptions
{
    /// <summary>The people and systems that may call the API beyond its public endpoints.</summary>
    public IList<PrincipalOptions> Principals { get; } = [];

    /// <summary>Verification requests one anonymous client address may make per minute (the public's share).</summary>
    public int PublicVerifyPermitsPerMinute { get; set; } = 60;

    /// <summary>Verification requests one authenticated principal may make per minute (partners' systems check in bulk).</summary>
    public int PrincipalVerifyPermitsPerMinute { get; set; } = 1200;

    /// <summary>Every problem with the access section, in a deployer's words.</summary>
    internal static IEnumerable<string> Check(NodeOptions options)
    {
        var access = options.Access;
        if (access.PublicVerifyPermitsPerMinute is < 1 or > 1_000_000)
        {
            yield return $"Node:Access:PublicVerifyPermitsPerMinute {access.PublicVerifyPermitsPerMinute} is out of range (1 to 1000000).";
        }

        if (access.PrincipalVerifyPermitsPerMinute is < 1 or > 1_000_000)
        {
            yield return $"Node:Access:PrincipalVerifyPermitsPerMinute {access.PrincipalVerifyPermitsPerMinute} is out of range (1 to 1000000).";
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var certificates = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < access.Principals.Count; i++)
        {
            var principal = access.Principals[i];
            var at = $"Node:Access:Principals:{i}";
            if (Identifier.Explain(principal.Id) is { } why)
            {
                yield return $"{at}:Id \"{principal.Id}\" {why}.";
            }
            else if (!ids.Add(principal.Id))
            {
                yield return $"{at}:Id {principal.Id} is configured twice.";
            }

            if (!Roles.All.Contains(principal.Role, StringComparer.Ordinal))
            {
                yield return $"{at}:Role \"{principal.Role}\" ({principal.Id}) is not a role; use one of {string.Join(", ", Roles.All)}.";
            }
            else if (principal.Role == Roles.Partner)
            {
                if (!options.Partners.Any(p => string.Equals(p.Id, principal.Administration, StringComparison.Ordinal)))
                {
                    yield return $"{at}:Administration \"{principal.Administration}\" ({principal.Id}) must name a configured partner for the partner role.";
                }
            }
            else if (!string.IsNullOrEmpty(principal.Administration))
            {
                yield return $"{at}:Administration is set for {principal.Id}, but only the partner role acts for another administration.";
            }

            var key = Normalize(principal.ApiKeySha256);
            var certificate = Normalize(principal.CertificateSha256);
            if (key is null && certificate is null)
            {
                yield return $"{at} ({principal.Id}) has neither ApiKeySha256 nor CertificateSha256: it could never sign in.";
            }

            if (key is not null && !IsSha256(key))
            {
                yield return $"{at}:ApiKeySha256 ({principal.Id}) is not 64 hex digits (the SHA-256 of the key, e.g. from `Interconnect.Node access-key`).";
            }
            else if (key is not null && !keys.Add(key))
            {
                yield return $"{at}:ApiKeySha256 ({principal.Id}) is another principal's key too; one key, one principal.";
            }

            if (certificate is not null && !IsSha256(certificate))
            {
                yield return $"{at}:CertificateSha256 ({principal.Id}) is not 64 hex digits (openssl x509 -noout -fingerprint -sha256).";
            }
            else if (certificate is not null && !certificates.Add(certificate))
            {
                yield return $"{at}:CertificateSha256 ({principal.Id}) is another principal's certificate too.";
            }
        }
    }

    /// <summary>A configured digest in one spelling: lowercase hex without separators; null when blank.</summary>
    internal static string? Normalize(string? digest) =>
        string.IsNullOrWhiteSpace(digest) ? null : digest.Replace(":", string.Empty, StringComparison.Ordinal).Trim().ToLower(CultureInfo.InvariantCulture);

    private static bool IsSha256(string hex) => hex.Length == 64 && hex.All(char.IsAsciiHexDigit);
}

/// <summary>
/// One principal: an officer, supervisor, auditor, or a partner administration's system. It proves
/// itself with an API key (only the key's SHA-256 is configured) or a client certificate (pinned by
/// its SHA-256 thumbprint), or either.
/// </summary>
public sealed class PrincipalOptions
{
    /// <summary>The principal's id, recorded in every ledger entry it causes (e.g. "nl-officer-0042").</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>One of <see cref="Roles"/>: officer, supervisor, auditor or partner.</summary>
    public string Role { get; set; } = string.Empty;

    /// <summary>For the partner role: the partner administration whose system this is.</summary>
    public string? Administration { get; set; }

    /// <summary>The lowercase hex SHA-256 of the principal's API key (<c>Interconnect.Node access-key</c> makes both).</summary>
    public string? ApiKeySha256 { get; set; }

    /// <summary>The hex SHA-256 thumbprint of the principal's client certificate (HTTPS with client certificates).</summary>
    public string? CertificateSha256 { get; set; }
}

/// <summary>The roles of the access matrix; "public" is anyone without credentials.</summary>
public static class Roles
{
    /// <summary>Issues and changes AEO certifications and shipments.</summary>
    public const string Officer = "officer";

    /// <summary>An officer's powers, plus revocations, agreements and the node's keys.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Reads everything, exports audit bundles, queries activity; changes nothing.</summary>
    public const string Auditor = "auditor";

    /// <summary>A partner administration's system: verification and log proofs.</summary>
    public const string Partner = "partner";

    /// <summary>The roles a principal can be configured with.</summary>
    public static IReadOnlyList<string> All { get; } = [Officer, Supervisor, Auditor, Partner];
}
