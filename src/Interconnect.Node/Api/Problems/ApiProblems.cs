using System.Text.Json;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Mesh;
using Interconnect.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Interconnect.Node.Api.Problems;

/// <summary>
/// The API's problem types (RFC 9457 <c>type</c> URIs) and how each error becomes one. URNs, because
/// they must stay stable across every administration's deployment and need no server to resolve;
/// docs/api.md describes each.
/// </summary>
public static class ApiProblems
{
    /// <summary>The prefix of every problem type this API returns.</summary>
    public const string TypePrefix = "urn:interconnect:problem:";

    /// <summary>400: the request is malformed or a field is out of format.</summary>
    public const string InvalidInput = TypePrefix + "invalid-input";

    /// <summary>401: no credentials, or credentials the node does not know.</summary>
    public const string Unauthenticated = TypePrefix + "unauthenticated";

    /// <summary>403: the principal's role may not do this (docs/access-control.md).</summary>
    public const string Forbidden = TypePrefix + "forbidden";

    /// <summary>429: too many requests from this client; the Retry-After header says when to try again.</summary>
    public const string RateLimited = TypePrefix + "rate-limited";

    /// <summary>404: no such resource.</summary>
    public const string NotFound = TypePrefix + "not-found";

    /// <summary>405: the resource does not accept that method.</summary>
    public const string MethodNotAllowed = TypePrefix + "method-not-allowed";

    /// <summary>409: the action breaks a business rule (the extension <c>code</c> says which).</summary>
    public const string RuleViolated = TypePrefix + "rule-violated";

    /// <summary>409: the entity kept changing concurrently; nothing was applied.</summary>
    public const string ConcurrentChange = TypePrefix + "concurrent-change";

    /// <summary>409: a number matches several resources; the request must say which.</summary>
    public const string Ambiguous = TypePrefix + "ambiguous";

    /// <summary>413: the request body is too large.</summary>
    public const string PayloadTooLarge = TypePrefix + "payload-too-large";

    /// <summary>415: the request body is not JSON.</summary>
    public const string UnsupportedMediaType = TypePrefix + "unsupported-media-type";

    /// <summary>500: the node failed; the trace id finds the logged error.</summary>
    public const string InternalError = TypePrefix + "internal-error";

    /// <summary>501: the operation depends on a part of the node that this build does not have yet.</summary>
    public const string NotImplemented = TypePrefix + "not-implemented";

    /// <summary>503: storage, the broker or a partner link does not answer now; try again.</summary>
    public const string Unavailable = TypePrefix + "unavailable";

    /// <summary>Any other HTTP error status.</summary>
    public const string HttpError = TypePrefix + "http-error";

    /// <summary>400 with one field at fault (or none when <paramref name="field"/> is empty).</summary>
    public static ProblemDetails Invalid(string detail, string? field = null)
    {
        if (string.IsNullOrEmpty(field))
        {
            return Create(StatusCodes.Status400BadRequest, InvalidInput, "The request is malformed.", detail);
        }

        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [detail] })
        {
            Status = StatusCodes.Status400BadRequest,
            Type = InvalidInput,
            Title = "A field of the request is missing or out of format.",
            Detail = detail,
        };
    }

    /// <summary>404 for a resource that does not exist here.</summary>
    public static ProblemHttpResult Missing(string detail) =>
        TypedResults.Problem(Create(StatusCodes.Status404NotFound, NotFound, "No such resource.", detail));

    /// <summary>409 with a stable machine-readable <paramref name="code"/>.</summary>
    public static ProblemDetails Rule(string code, string detail)
    {
        var problem = Create(StatusCodes.Status409Conflict, RuleViolated, "The action breaks a business rule.", detail);
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>A 401, 403 or 429 refusal, with what it was and what to do about it.</summary>
    public static ProblemDetails Refused(int status, string detail) => status switch
    {
        StatusCodes.Status401Unauthorized => Create(status, Unauthenticated, "Authentication is required.", detail),
        StatusCodes.Status403Forbidden => Create(status, Forbidden, "The principal's role does not allow this.", detail),
        StatusCodes.Status429TooManyRequests => Create(status, RateLimited, "Too many requests.", detail),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only 401, 403 and 429 are refusals of access."),
    };

    /// <summary>The problem for an exception that reached the API, or the generic 500 for anything unexpected.</summary>
    public static ProblemDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            InvalidCommandException e => Invalid(e.Message, e.Field),
            DomainRuleException e => Rule(e.Code, e.Message),
            GrainConcurrencyException e => WithCode(
                Create(StatusCodes.Status409Conflict, ConcurrentChange, "The entity changed concurrently; nothing was applied.", e.Message), "concurrent-change"),
            BadHttpRequestException e => FromBadRequest(e),
            ArgumentException e => Invalid(e.Message, e.ParamName),
            PartnerUnreachableException e => Create(StatusCodes.Status503ServiceUnavailable, Unavailable, "The partner cannot be reached now.", e.Message),
            NotSupportedException => Create(
                StatusCodes.Status501NotImplemented, NotImplemented, "Not available in this build.",
                "This operation depends on a part of the node (mesh replication) that this build does not provide yet."),
            StorageException or ConcurrencyConflictException or HttpRequestException or TimeoutException => Create(
                StatusCodes.Status503ServiceUnavailable, Unavailable, "Storage does not answer.",
                "The node's storage failed or did not answer; nothing is known to have changed. Try again."),
            _ => Create(
                StatusCodes.Status500InternalServerError, InternalError, "The node failed to process the request.",
                "An unexpected error occurred; it is logged under this problem's trace id."),
        };
    }

    /// <summary>The problem for an error status that left the pipeline without a body (unmatched route, unreadable request).</summary>
    public static ProblemDetails ForStatus(int status, string method, string path) => status switch
    {
        StatusCodes.Status400BadRequest => Create(status, InvalidInput, "The request is malformed.",
            "The request could not be read: a route value, query parameter or the JSON body is missing or of the wrong type. See /openapi/v1.json."),
        StatusCodes.Status401Unauthorized => Refused(status, $"{method} {path} needs credentials: an API key (Authorization: ApiKey <key>) or a client certificate."),
        StatusCodes.Status403Forbidden => Refused(status, $"{method} {path} is not allowed for this principal's role."),
        StatusCodes.Status404NotFound => Create(status, NotFound, "No such resource.", $"Nothing is served at {path}."),
        StatusCodes.Status405MethodNotAllowed => Create(status, MethodNotAllowed, "Method not allowed.", $"{path} does not accept {method}."),
        StatusCodes.Status413PayloadTooLarge => Create(status, PayloadTooLarge, "The request body is too large.", "The request body exceeds the node's limit."),
        StatusCodes.Status415UnsupportedMediaType => Create(status, UnsupportedMediaType, "Unsupported media type.", "Send the request body as application/json."),
        _ => Create(status, HttpError, $"HTTP {status}.", $"{method} {path} ended with status {status}."),
    };

    private static ProblemDetails FromBadRequest(BadHttpRequestException e)
    {
        // A body that does not deserialize: name the JSON path of the offending value, e.g. "$.certifiedOn".
        if (e.InnerException is JsonException { Path: { Length: > 2 } path } json && path.StartsWith("$.", StringComparison.Ordinal))
        {
            var problem = Invalid(json.Message, path[2..]);
            problem.Status = e.StatusCode;
            return problem;
        }

        return e.StatusCode switch
        {
            StatusCodes.Status400BadRequest => Invalid(e.Message),
            _ => WithDetail(ForStatus(e.StatusCode, string.Empty, string.Empty), e.Message),
        };
    }

    private static ProblemDetails Create(int status, string type, string title, string detail) =>
        new() { Status = status, Type = type, Title = title, Detail = detail };

    private static ProblemDetails WithCode(ProblemDetails problem, string code)
    {
        problem.Extensions["code"] = code;
        return problem;
    }

    private static ProblemDetails WithDetail(ProblemDetails problem, string detail)
    {
        problem.Detail = detail;
        return problem;
    }
}
