using System.Diagnostics;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// A span per API command (any request that is not a read), named by the endpoint's operation id
/// (<c>command SuspendAeoCertification</c>), under ASP.NET Core's request span; the grain call,
/// signing and storage writes the command causes are its children. Every request span is claimed
/// for this node, so each node of a shared process exports its own.
/// </summary>
internal static class CommandSpans
{
    /// <summary>Adds the middleware (after routing, so the endpoint is known).</summary>
    public static IApplicationBuilder UseCommandSpans(this IApplicationBuilder app) =>
        app.Use(static async (context, next) =>
        {
            var telemetry = context.RequestServices.GetRequiredService<NodeTelemetry>();
            telemetry.Claim(Activity.Current);
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var endpoint = context.GetEndpoint();
            var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
                ?? (endpoint as RouteEndpoint)?.RoutePattern.RawText
                ?? "unmatched";
            using var span = telemetry.StartSpan("command " + name);
            span?.SetTag("http.request.method", context.Request.Method);
            span?.SetTag("http.route", (endpoint as RouteEndpoint)?.RoutePattern.RawText);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (span is not null)
            {
                // The exception handler further out turns it into a problem answer; the span records what it was.
                span.AddException(e);
                span.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                throw;
            }

            span?.SetTag("http.response.status_code", context.Response.StatusCode);
            if (context.Response.StatusCode >= 400)
            {
                span?.SetStatus(ActivityStatusCode.Error, $"HTTP {context.Response.StatusCode}");
            }
        });
}
