using Interconnect.Node.Access;
using System.Globalization;
using System.Text;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Audit;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Audit;
using Interconnect.Node.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Interconnect.Node.Api.Audit;

/// <summary>
/// <c>/api/audit</c>: audit bundles (docs/audit-bundles.md) of one of our entities or of a time range
/// of our log, as files an auditor verifies offline with <c>Interconnect.Node verify</c>.
/// </summary>
public static class AuditApi
{
    /// <summary>Maps the export endpoints.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(AccessPolicies.Audit);
        group.MapGet("/entities/{kind}/{id}/bundle", EntityBundleAsync)
            .WithName("ExportEntityAuditBundle")
            .WithSummary("Exports the whole signed ledger of one of our entities as an audit bundle.")
            .WithDescription("Every entry with all its fields and salts, an inclusion proof for each against a checkpoint signed for the export, and this administration's key set. Media type " + AuditBundle.MediaType + ".")
            .Produces<System.Text.Json.JsonElement>(StatusCodes.Status200OK, AuditBundle.MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/log/bundle", LogBundleAsync)
            .WithName("ExportLogAuditBundle")
            .WithSummary("Exports the entries of our log signed in [from, to) as an audit bundle.")
            .WithDescription("`from`, `to`: ISO 8601 times (UTC `Z` or an offset), from before to, whole microseconds. At most 10000 entries; a larger range is refused with 400.")
            .Produces<System.Text.Json.JsonElement>(StatusCodes.Status200OK, AuditBundle.MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> EntityBundleAsync(
        string kind, string id, AdministrationNode node, CancellationToken cancellationToken)
    {
        ApiInput.Identifier(kind, "kind");
        ApiInput.Identifier(id, "id");
        var export = await new AuditBundleExporter(node).ExportEntityAsync(kind, id, cancellationToken).ConfigureAwait(false);
        return Answer(export, $"{node.Id}-{kind}-{id}", "id");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> LogBundleAsync(
        string? from, string? to, AdministrationNode node, CancellationToken cancellationToken)
    {
        var start = ApiInput.Time(from, "from");
        var end = ApiInput.Time(to, "to");
        if (start >= end)
        {
            throw new InvalidCommandException("from", $"from {from} is not before to {to}: the range [from, to) is empty.");
        }

        var export = await new AuditBundleExporter(node).ExportRangeAsync(start, end, cancellationToken).ConfigureAwait(false);
        return Answer(export, $"{node.Id}-log-{Compact(start)}-{Compact(end)}", "to");
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> Answer(AuditExport export, string name, string field) => export switch
    {
        AuditExport.Exported exported => TypedResults.File(
            AuditBundleJson.Encode(exported.Bundle), AuditBundle.MediaType, FileName(name) + AuditBundle.FileExtension),
        AuditExport.NotFound missing => ApiProblems.Missing(missing.Detail),
        AuditExport.TooLarge large => throw new InvalidCommandException(field, large.Detail),
        _ => throw new InvalidOperationException($"Unhandled export outcome {export}."),
    };

    private static string Compact(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    // Identifiers may hold ':' and '/', which file systems do not take in a name.
    private static string FileName(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        return safe.ToString();
    }
}
