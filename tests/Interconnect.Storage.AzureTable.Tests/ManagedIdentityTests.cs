using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using static Interconnect.Storage.AzureTable.Tests.ScriptedHandler;

namespace Interconnect.Storage.AzureTable.Tests;

/// <summary>
/// The ServiceUri route: the account's endpoint reached with the node's Azure identity. A local
/// credential and a scripted service stand in for Entra ID and Azure: no token is ever requested
/// from a real identity endpoint.
/// </summary>
public sealed class ManagedIdentityTests
{
    private static readonly Uri Endpoint = new("https://gbcustoms.table.core.windows.net");

    [Fact]
    public async Task Requests_go_to_the_service_uri_with_a_bearer_token_for_azure_storage()
    {
        var handler = new ScriptedHandler(Partner("FR", 4));
        var credential = new IssuedToken("token-for-gb");

        var state = await Store(handler, credential).Partners.GetAsync("FR");

        Assert.Equal(4, state!.AcknowledgedThrough);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("Bearer token-for-gb", request.Authorization);
        Assert.Equal("https://gbcustoms.table.core.windows.net/gbpartners(PartitionKey='partner',RowKey='FR')", Uri.UnescapeDataString(request.Uri.GetLeftPart(UriPartial.Path)));
        Assert.Equal(["https://storage.azure.com/.default"], Assert.Single(credential.Scopes));
    }

    // Where no identity is available, the node reports storage as failing (readiness names it), not an unknown error.
    [Fact]
    public async Task An_identity_that_gets_no_token_is_a_StorageException_naming_the_cause()
    {
        var handler = new ScriptedHandler();

        var error = await Assert.ThrowsAsync<StorageException>(
            () => Store(handler, new IssuedToken(null)).Log.GetSizeAsync());

        Assert.Empty(handler.Requests);
        Assert.Contains("CredentialUnavailableException", error.Message, StringComparison.Ordinal);
        Assert.Contains("no managed identity here", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", "https://gbcustoms.table.core.windows.net", "not both")]
    [InlineData(null, null, "ConnectionString is required (or ServiceUri")]
    [InlineData(null, "http://gbcustoms.table.core.windows.net", "must be an absolute https URL")]
    public void Exactly_one_of_a_connection_string_and_an_https_service_uri_is_accepted(string? connectionString, string? serviceUri, string expected)
    {
        var options = new AzureTableStorageOptions
        {
            ConnectionString = connectionString,
            ServiceUri = serviceUri is null ? null : new Uri(serviceUri),
            TablePrefix = "gb",
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static AzureTableNodeStore Store(ScriptedHandler handler, TokenCredential credential) => new(
        new AzureTableStorageOptions { ServiceUri = Endpoint, TablePrefix = "gb", MaxAttempts = 1 },
        new HttpClientTransport(new HttpClient(handler)),
        credential,
        TimeProvider.System);

    /// <summary>Issues a fixed token (or, for null, says no identity is available) and records the scopes asked for.</summary>
    private sealed class IssuedToken(string? token) : TokenCredential
    {
        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.Add(requestContext.Scopes);
            return token is null
                ? throw new CredentialUnavailableException("no managed identity here")
                : new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
