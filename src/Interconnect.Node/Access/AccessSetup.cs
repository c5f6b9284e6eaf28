using System.Security.Claims;
using System.Threading.RateLimiting;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Interconnect.Node.Access;

/// <summary>Wires authentication, the access policies, the verification rate limit and the acting principal.</summary>
public static class AccessSetup
{
    /// <summary>Registers the services of access control for <paramref name="options"/>.</summary>
    public static IServiceCollection AddInterconnectAccess(this IServiceCollection services, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(new PrincipalDirectory(options.Access));
        // The core alone: AddAuthentication would also bring data protection, whose key ring this node
        // never uses (no cookies, no tokens) and which would otherwise be written to disk unencrypted.
        services.AddAuthenticationCore(o => o.DefaultScheme = CredentialAuthenticationHandler.SchemeName);
        services.AddWebEncoders();
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, CredentialAuthenticationHandler>(CredentialAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(AccessPolicies.Add);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessRefusals>();
        var access = options.Access;
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = AccessRefusals.OnRateLimitedAsync;
            limiter.AddPolicy(AccessPolicies.VerifyRateLimit, context =>
            {
                // The public shares by client address; a signed-in principal (a partner's system) has its own, larger share.
                var principal = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
                return principal is not null
                    ? RateLimitPartition.GetFixedWindowLimiter("principal:" + principal, _ => PerMinute(access.PrincipalVerifyPermitsPerMinute))
                    : RateLimitPartition.GetFixedWindowLimiter("address:" + context.Connection.RemoteIpAddress, _ => PerMinute(access.PublicVerifyPermitsPerMinute));
            });
        });
        return services;
    }

    /// <summary>
    /// Authentication, the acting principal, the rate limiter and authorization, in that order, after
    /// routing (so each endpoint's policy is known).
    /// </summary>
    public static WebApplication UseInterconnectAccess(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRouting();
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            // Every grain command of this request records who asked for it (Actor.Current).
            if (context.User.Identity?.IsAuthenticated == true
                && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
                && context.User.FindFirstValue(ClaimTypes.Role) is { } role)
            {
                using (Actor.Enter(new Actor(id, role)))
                {
                    await next(context).ConfigureAwait(false);
                }

                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    private static FixedWindowRateLimiterOptions PerMinute(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true };
}
