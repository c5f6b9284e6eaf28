using Interconnect.Node.Api.AeoOperators;
using Interconnect.Node.Api.Shipments;

namespace Interconnect.Node.Api.Tests.Support;

/// <summary>Officer actions that several tests start from.</summary>
internal static class Scenarios
{
    public static string Digest(char c) => new(c, 64);

    public static Task<AeoOperatorResponse> CertifyAsync(this ApiNode node, string? number = null) =>
        node.PostAsync<AeoOperatorResponse>("/api/aeo-operators", new
        {
            aeoNumber = number ?? ApiNode.NewAeoNumber(),
            name = "Example Logistics B.V.",
            address = "Havenstraat 1, 3011 AA Rotterdam",
            programme = "AEOF",
            certifiedOn = "2026-01-15",
            validUntil = "2029-01-14",
        });

    public static Task<ShipmentResponse> DeclareAsync(this ApiNode node, string ucr) =>
        node.PostAsync<ShipmentResponse>("/api/shipments", new
        {
            ucr,
            exportingAdministration = "NL",
            importingAdministration = "BE",
            consignor = "Westland Flowers B.V.",
            consignee = "Fleurs de Bruxelles SA",
        });

    public static Task<ShipmentResponse> AttachAsync(this ApiNode node, string ucr, string number, char digest = 'a') =>
        node.PostAsync<ShipmentResponse>($"/api/shipments/{ucr}/documents", new
        {
            documentType = "phytosanitary-certificate",
            number,
            issuedOn = "2026-11-20",
            contentDigest = Digest(digest),
        });
}
