using Interconnect.Node.Configuration;
using Microsoft.AspNetCore.Authorization;

namespace Interconnect.Node.Access;

/// <summary>
/// The access matrix as authorization policies (docs/access-control.md). Each endpoint names one;
/// an endpoint that names none gets <see cref="Supervise"/>, so forgetting fails closed.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Issue and change AEO certifications and shipments: officers and supervisors.</summary>
    public const string Issue = "issue";

    /// <summary>Revocations, agreements and the node's keys: supervisors.</summary>
    public const string Supervise = "supervise";

    /// <summary>Read our records, partners' shared entries, links and alarms: officers, supervisors, auditors.</summary>
    public const string ReadRecords = "read-records";

    /// <summary>Audit bundles and activity queries: auditors and supervisors.</summary>
    public const string Audit = "audit";

    /// <summary>Log proofs (checkpoints, inclusion, consistency): any signed-in principal, partners included.</summary>
    public const string Proofs = "proofs";

    /// <summary>The rate limiter policy of the public verification endpoints.</summary>
    public const string VerifyRateLimit = "verify";

    /// <summary>The roles each policy admits, as the matrix states them.</summary>
    public static IReadOnlyDictionary<string, string[]> RolesOf { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Issue] = [Roles.Officer, Roles.Supervisor],
        [Supervise] = [Roles.Supervisor],
        [ReadRecords] = [Roles.Officer, Roles.Supervisor, Roles.Auditor],
        [Audit] = [Roles.Auditor, Roles.Supervisor],
        [Proofs] = [Roles.Officer, Roles.Supervisor, Roles.Auditor, Roles.Partner],
    };

    /// <summary>Registers the policies and the fail-closed fallback.</summary>
    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, roles) in RolesOf)
        {
            options.AddPolicy(name, p => p.AddAuthenticationSchemes(CredentialAuthenticationHandler.SchemeName).RequireRole(roles));
        }

        options.FallbackPolicy = options.GetPolicy(Supervise);
    }
}
