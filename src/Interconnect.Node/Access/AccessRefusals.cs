using System.Security.Claims;
using System.Threading.RateLimiting;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.RateLimiting;

namespace Interconnect.Node.Access;

/// <summary>
/// Answers a refused request with ProblemDetails that say why (no credentials, unknown credentials,
/// a role that may not, too many requests) and counts it in <see cref="MetricNames.ApiRefused"/>.
/// </summary>
public sealed class AccessRefusals(NodeTelemetry telemetry) : IAuthorizationMiddlewareResultHandler
{
    private const string PublicRole = "public";
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <inheritdoc />
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var request = $"{context.Request.Method} {context.Request.Path}";
        if (authorizeResult.Challenged)
        {
            // The handler keeps its result for the request, so this asks it again for nothing more than the reason.
            var failure = (await context.AuthenticateAsync(CredentialAuthenticationHandler.SchemeName).ConfigureAwait(false)).Failure?.Message;
            telemetry.ApiRefused("unauthenticated", PublicRole);
            context.Response.Headers.WWWAuthenticate = $"{CredentialAuthenticationHandler.ApiKeyScheme} realm=\"interconnect\"";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, failure is null
                ? $"{request} needs credentials: an API key (Authorization: {CredentialAuthenticationHandler.ApiKeyScheme} <key>) or a pinned client certificate."
                : $"{request} was refused: {failure}").ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var role = context.User.FindFirstValue(ClaimTypes.Role) ?? PublicRole;
            var allowed = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct(StringComparer.Ordinal);
            telemetry.ApiRefused("forbidden", role);
            await WriteAsync(context, StatusCodes.Status403Forbidden,
                $"{context.User.Identity?.Name} ({role}) may not {request}; it needs the role {string.Join(" or ", allowed)}.").ConfigureAwait(false);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }

    /// <summary>The rate limiter's refusal: 429 with Retry-After when the limiter knows it.</summary>
    public static async ValueTask OnRateLimitedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var context = rejected.HttpContext;
        var role = context.User.FindFirstValue(ClaimTypes.Role) ?? PublicRole;
        context.RequestServices.GetRequiredService<NodeTelemetry>().ApiRefused("rate-limited", role);
        var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var who = role == PublicRole ? $"this address ({context.Connection.RemoteIpAddress})" : context.User.Identity?.Name;
        await WriteAsync(context, StatusCodes.Status429TooManyRequests,
            $"{context.Request.Method} {context.Request.Path}: {who} has used its verification requests for this minute; try again in {seconds} s.").ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ApiProblems.Refused(status, detail),
        }).ConfigureAwait(false);
    }
}
