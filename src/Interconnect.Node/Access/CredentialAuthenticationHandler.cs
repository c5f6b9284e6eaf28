using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Interconnect.Node.Access;

/// <summary>
/// Signs a request in from its API key (<c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key</c>)
/// or from its client certificate, pinned by SHA-256. No credentials is not a failure: the request
/// goes on as the public, and the endpoint's policy decides.
/// </summary>
public sealed class CredentialAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    PrincipalDirectory directory,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "Interconnect";

    /// <summary>The Authorization header's scheme for API keys.</summary>
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>The alternative header carrying an API key alone.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(Authenticate());

    private AuthenticateResult Authenticate()
    {
        var headers = Request.Headers;
        string? key = null;
        if (headers.Authorization.Count > 0)
        {
            var value = headers.Authorization.ToString();
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !string.Equals(value[..space], ApiKeyScheme, StringComparison.OrdinalIgnoreCase))
            {
                return AuthenticateResult.Fail($"The Authorization header's scheme is not accepted; send \"{ApiKeyScheme} <key>\".");
            }

            key = value[(space + 1)..].Trim();
        }
        else if (headers.TryGetValue(ApiKeyHeader, out var header))
        {
            key = header.ToString().Trim();
        }

        if (key is not null)
        {
            return directory.FindByApiKey(key) is { } principal
                ? Success(principal)
                : AuthenticateResult.Fail("The API key is not one this node knows (revoked, mistyped, or meant for another node).");
        }

        if (Context.Connection.ClientCertificate is not { } certificate)
        {
            return AuthenticateResult.NoResult();
        }

        if (directory.FindByCertificate(certificate) is not { } holder)
        {
            return AuthenticateResult.Fail($"The client certificate {certificate.Subject} is not pinned to any principal of this node.");
        }

        // Pinned, so no chain is built; its validity period still holds.
        var now = time.GetUtcNow();
        return now < certificate.NotBefore || now > certificate.NotAfter
            ? AuthenticateResult.Fail($"The client certificate of {holder.Id} is valid from {certificate.NotBefore:O} to {certificate.NotAfter:O}, not now.")
            : Success(holder);
    }

    private static AuthenticateResult Success(Configuration.PrincipalOptions principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(PrincipalDirectory.Claims(principal, SchemeName), SchemeName));
}
