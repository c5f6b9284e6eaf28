using Interconnect.Grains.Shipments;

namespace Interconnect.Node.Api;

/// <summary>Status names the API writes where the grains have no name of their own (lower-case, as in ledger fields).</summary>
internal static class ApiNames
{
    /// <summary>"issued", "replaced" or "withdrawn".</summary>
    public static string Document(DocumentStatus status) => status.ToString().ToLowerInvariant();
}
