using System.Collections.Frozen;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Interconnect.Node.Configuration;

namespace Interconnect.Node.Access;

/// <summary>
/// The principals of <see cref="AccessOptions"/>, found by the SHA-256 of an API key or of a client
/// certificate. Only digests are held: a configuration dump or memory image gives no usable key.
/// </summary>
public sealed class PrincipalDirectory
{
    /// <summary>The claim naming the partner administration a partner principal acts for.</summary>
    public const string AdministrationClaim = "urn:interconnect:administration";

    private readonly FrozenDictionary<string, PrincipalOptions> _byKey;
    private readonly FrozenDictionary<string, PrincipalOptions> _byCertificate;

    /// <summary>Indexes the configured principals (already validated with the node's options).</summary>
    public PrincipalDirectory(AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _byKey = Index(options.Principals, p => p.ApiKeySha256);
        _byCertificate = Index(options.Principals, p => p.CertificateSha256);
    }

    /// <summary>True when some principal signs in with a client certificate (Kestrel then asks for one).</summary>
    public bool UsesCertificates => _byCertificate.Count > 0;

    /// <summary>The principal whose API key is <paramref name="apiKey"/>, or null.</summary>
    public PrincipalOptions? FindByApiKey(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return _byKey.GetValueOrDefault(Digest(apiKey));
    }

    /// <summary>The principal pinned to <paramref name="certificate"/>, or null.</summary>
    public PrincipalOptions? FindByCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _byCertificate.GetValueOrDefault(Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)));
    }

    /// <summary>The lowercase hex SHA-256 of an API key's UTF-8 bytes: what the configuration holds.</summary>
    public static string Digest(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>The claims identity of <paramref name="principal"/>, authenticated by <paramref name="scheme"/>.</summary>
    public static ClaimsPrincipal Claims(PrincipalOptions principal, string scheme)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, principal.Id), new(ClaimTypes.Name, principal.Id), new(ClaimTypes.Role, principal.Role) };
        if (!string.IsNullOrEmpty(principal.Administration))
        {
            claims.Add(new Claim(AdministrationClaim, principal.Administration));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    private static FrozenDictionary<string, PrincipalOptions> Index(IEnumerable<PrincipalOptions> principals, Func<PrincipalOptions, string?> digest) =>
        principals
            .Select(p => (Digest: AccessOptions.Normalize(digest(p)), Principal: p))
            .Where(p => p.Digest is not null)
            .ToFrozenDictionary(p => p.Digest!, p => p.Principal, StringComparer.Ordinal);
}
