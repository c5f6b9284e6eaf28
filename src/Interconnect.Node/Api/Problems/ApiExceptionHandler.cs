using Microsoft.AspNetCore.Diagnostics;

namespace Interconnect.Node.Api.Problems;

/// <summary>
/// Turns every exception that reaches the API into an RFC 9457 problem (see <see cref="ApiProblems.FromException"/>):
/// client errors with the grain's own explanation, server errors with a trace id and nothing internal.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return true;
        }

        var problem = ApiProblems.FromException(exception);
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        switch (status)
        {
            case StatusCodes.Status500InternalServerError:
            case StatusCodes.Status503ServiceUnavailable when exception is Storage.StorageException:
                // A storage failure may be an integrity incident (a broken stored chain): log it whole.
                LogServerError(logger, exception, httpContext.Request.Method, httpContext.Request.Path, status);
                break;
            case StatusCodes.Status503ServiceUnavailable:
                // Storage or a partner is away: an operational condition, not a defect; the message says which.
                LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
                break;
            default:
                LogRefused(logger, httpContext.Request.Method, httpContext.Request.Path, status, problem.Type, problem.Detail);
                break;
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    /// <summary>Handles the exception recorded by the exception handler middleware (its fallback delegate form).</summary>
    public async Task HandleAsync(HttpContext httpContext)
    {
        var feature = httpContext.Features.Get<IExceptionHandlerFeature>();
        if (feature is not null)
        {
            await TryHandleAsync(httpContext, feature.Error, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed with status {Status}")]
    private static partial void LogServerError(ILogger logger, Exception exception, string method, PathString path, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} unavailable ({ExceptionType}): {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} refused with status {Status} ({ProblemType}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int status, string? problemType, string? detail);
}
