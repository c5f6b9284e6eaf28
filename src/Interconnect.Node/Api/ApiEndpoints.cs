using Interconnect.Node.Access;
using Interconnect.Node.Api.AeoOperators;
using Interconnect.Node.Api.Audit;
using Interconnect.Node.Api.Keys;
using Interconnect.Node.Api.Ledgers;
using Interconnect.Node.Api.MraAgreements;
using Interconnect.Node.Api.Operations;
using Interconnect.Node.Api.Partners;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Api.Proofs;
using Interconnect.Node.Api.Shipments;
using Interconnect.Node.Api.Verification;
using Interconnect.Node.Hosting;
using Interconnect.Node.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;

namespace Interconnect.Node.Api;

/// <summary>Maps the node's HTTP surface.</summary>
public static class ApiEndpoints
{
    /// <summary>Where the Orleans Dashboard is served: its page at <c>/dashboard/</c>, its assets and JSON calls below it.</summary>
    public const string DashboardPrefix = "/dashboard";

    /// <summary>
    /// The API's services: the exception handler and refusals of unreadable requests as exceptions
    /// (so they reach the handler and name the offending field). Call from the composition root.
    /// </summary>
    public static IServiceCollection AddInterconnectApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>Health, OpenAPI, the API groups, the web UI and the Orleans Dashboard.</summary>
    public static WebApplication MapInterconnectApi(this WebApplication app, NodeHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        UseProblemDetails(app);
        if (settings.ServeWebUi)
        {
            app.UseDefaultFiles();
            app.UseStaticFiles();
        }

        app.UseInterconnectAccess();
        app.UseCommandSpans();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessChecks.Tag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).AllowAnonymous();
        app.MapNodeApi();
        app.MapAeoOperatorsApi();
        app.MapMraAgreementsApi();
        app.MapShipmentsApi();
        app.MapPartnersApi();
        app.MapLedgerApi();
        app.MapProofsApi();
        app.MapVerificationApi();
        app.MapAuditApi();
        app.MapActivityApi();
        app.MapOperationsApi();
        app.MapKeysApi();

        // The Orleans Dashboard shows the whole cluster (silos, grains, calls, the silo's log stream and
        // any grain's state) and is no part of the API: supervisors only, and out of the OpenAPI document.
        app.MapOrleansDashboard(routePrefix: DashboardPrefix)
            .RequireAuthorization(AccessPolicies.Supervise)
            .ExcludeFromDescription();
        return app;
    }

    private static void UseProblemDetails(WebApplication app)
    {
        app.UseExceptionHandler();

        // Errors that leave the pipeline with no body (unmatched route, wrong method, unreadable request).
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = ApiProblems.ForStatus(http.Response.StatusCode, http.Request.Method, http.Request.Path),
            }).ConfigureAwait(false);
        });
    }
}
