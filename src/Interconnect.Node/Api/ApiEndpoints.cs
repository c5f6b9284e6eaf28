using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Interconnect.Node.Api;

/// <summary>Maps the node's HTTP surface.</summary>
public static class ApiEndpoints
{
    /// <summary>Health, OpenAPI, the API groups and the web UI.</summary>
    public static WebApplication MapInterconnectApi(this WebApplication app, NodeHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
