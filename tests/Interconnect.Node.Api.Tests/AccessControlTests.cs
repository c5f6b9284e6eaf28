using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Node.Access;
using Interconnect.Node.Api.Problems;
using Interconnect.Node.Api.Tests.Support;
using Interconnect.Node.Audit;
using Interconnect.Node.Configuration;
using Interconnect.Node.Telemetry;

namespace Interconnect.Node.Api.Tests;

/// <summary>
/// Signing in, refusals that say why and are counted, the acting principal in each entry, the
/// auditors' activity queries, and the public endpoints' rate limit.
/// </summary>
[Collection(SharedApiNode.Name)]
public sealed class AccessControlTests(ApiNode node)
{
    [Fact]
    public async Task UnknownKey_IsRefusedWith401_NeverTreatedAsAnonymous()
    {
        using var http = node.Client(null);
        using var protectedRequest = new HttpRequestMessage(HttpMethod.Get, "/api/aeo-operators");
        protectedRequest.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + AccessKeyCommand.NewKey());
        using var response = await http.SendAsync(protectedRequest);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(ApiProblems.Unauthenticated, problem.Type);
        Assert.Contains("not one this node knows", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherAuthorizationSchemes_AreRefusedByName()
    {
        using var http = node.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/aeo-operators");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + ApiNode.Keys[Roles.Officer]);
        var problem = await Problem.ReadAsync(await http.SendAsync(request), HttpStatusCode.Unauthorized);
        Assert.Contains("scheme is not accepted", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task XApiKeyHeader_SignsIn()
    {
        using var http = node.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/aeo-operators");
        request.Headers.Add(CredentialAuthenticationHandler.ApiKeyHeader, ApiNode.Keys[Roles.Auditor]);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Forbidden_NamesThePrincipalAndTheRolesThatMay_AndNothingIsStored()
    {
        var number = ApiNode.NewAeoNumber();
        var logBefore = node.Node.Log.Size;
        using var auditor = node.Client(Roles.Auditor);
        var problem = await Problem.ReadAsync(await auditor.PostAsJsonAsync("/api/aeo-operators", CertifyBody(number)), HttpStatusCode.Forbidden);
        Assert.Equal(ApiProblems.Forbidden, problem.Type);
        Assert.Contains(ApiNode.PrincipalId(Roles.Auditor), problem.Detail, StringComparison.Ordinal);
        Assert.Contains("officer or supervisor", problem.Detail, StringComparison.Ordinal);
        Assert.Null(await node.Node.Store.Entities.GetHeadAsync(new(ApiNode.AdministrationId, AeoOperatorGrain.EntityKind, number)));
        Assert.Equal(logBefore, node.Node.Log.Size);
    }

    [Fact]
    public async Task Refusals_AreCountedByReasonAndRole()
    {
        using var counts = new RefusalCounts();
        using var anonymous = node.Client(null);
        using var partner = node.Client(Roles.Partner);
        using var officer = node.Client(Roles.Officer);
        (await anonymous.GetAsync("/api/aeo-operators")).Dispose();
        (await partner.GetAsync("/api/aeo-operators")).Dispose();
        (await officer.PostAsJsonAsync("/api/aeo-operators/NLAEOF9999998/revoke", new { reason = "x" })).Dispose();
        Assert.True(counts.Of("unauthenticated", "public") >= 1);
        Assert.True(counts.Of("forbidden", Roles.Partner) >= 1);
        Assert.True(counts.Of("forbidden", Roles.Officer) >= 1);
    }

    [Fact]
    public async Task EveryCommand_RecordsTheActingPrincipal_UnderTheSignature()
    {
        var number = ApiNode.NewAeoNumber();
        using var officer = node.Client(Roles.Officer);
        using var supervisor = node.Client(Roles.Supervisor);
        (await officer.PostAsJsonAsync("/api/aeo-operators", CertifyBody(number))).EnsureSuccessStatusCode();
        (await supervisor.PostAsJsonAsync($"/api/aeo-operators/{number}/revoke", new { reason = "Fraud established" })).EnsureSuccessStatusCode();

        var entries = await node.Node.Store.Entities.ReadAsync(new(ApiNode.AdministrationId, AeoOperatorGrain.EntityKind, number), 1, 10);
        Assert.Equal(2, entries.Count);
        Assert.Equal((ApiNode.PrincipalId(Roles.Officer), Roles.Officer), (entries[0][Actor.IdField], entries[0][Actor.RoleField]));
        Assert.Equal((ApiNode.PrincipalId(Roles.Supervisor), Roles.Supervisor), (entries[1][Actor.IdField], entries[1][Actor.RoleField]));
        foreach (var entry in entries)
        {
            // Committed in the signed body, so it cannot be changed or dropped afterwards unnoticed.
            Assert.NotNull(entry.Entry.Body.Field(Actor.IdField));
            Assert.NotNull(entry.Entry.Body.Field(Actor.RoleField));
            Assert.Null(entry.VerifyFields());
            Assert.Null(Ledger.Chains.ChainVerifier.VerifySignature(entry.Entry, new Ledger.Signing.StaticKeyResolver([(ApiNode.AdministrationId, node.PublicKey)])));
        }
    }

    [Fact]
    public async Task Auditors_QueryAPrincipalsActivity_OverATimeRange_InPages()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var officer = node.Client(Roles.Officer);
        using var supervisor = node.Client(Roles.Supervisor);
        string[] numbers = [ApiNode.NewAeoNumber(), ApiNode.NewAeoNumber(), ApiNode.NewAeoNumber()];
        foreach (var number in numbers)
        {
            (await officer.PostAsJsonAsync("/api/aeo-operators", CertifyBody(number))).EnsureSuccessStatusCode();
        }

        (await supervisor.PostAsJsonAsync($"/api/aeo-operators/{numbers[0]}/suspend", new { reason = "Audit findings" })).EnsureSuccessStatusCode();
        var to = DateTimeOffset.UtcNow.AddSeconds(1);

        using var auditor = node.Client(Roles.Auditor);
        var officerActivity = await AllPagesAsync(auditor, $"/api/audit/activity/principals/{ApiNode.PrincipalId(Roles.Officer)}?from={Time(from)}&to={Time(to)}&limit=1");
        var mine = officerActivity.Where(a => numbers.Contains(a.Id)).ToList();
        Assert.Equal(numbers.Order(), mine.Select(a => a.Id).Order());
        Assert.All(mine, a => Assert.Equal(("aeo.certified", Roles.Officer), (a.EntryType, a.Role)));
        Assert.All(officerActivity, a => Assert.Equal(ApiNode.PrincipalId(Roles.Officer), a.Principal));

        var supervisorActivity = await AllPagesAsync(auditor, $"/api/audit/activity/principals/{ApiNode.PrincipalId(Roles.Supervisor)}?from={Time(from)}&to={Time(to)}");
        Assert.Contains(supervisorActivity, a => a.Id == numbers[0] && a.EntryType == "aeo.suspended");
        Assert.DoesNotContain(supervisorActivity, a => a.EntryType == "aeo.certified" && numbers.Contains(a.Id));

        // Outside the range: nothing.
        var before = await AllPagesAsync(auditor, $"/api/audit/activity/principals/{ApiNode.PrincipalId(Roles.Officer)}?from={Time(from.AddHours(-2))}&to={Time(from.AddHours(-1))}");
        Assert.Empty(before);

        // One entity's activity, each entry with who acted.
        var entity = await AllPagesAsync(auditor, $"/api/audit/activity/entities/aeo-operator/{numbers[0]}?from={Time(from)}&to={Time(to)}&limit=1");
        Assert.Equal([(ApiNode.PrincipalId(Roles.Officer), "aeo.certified"), (ApiNode.PrincipalId(Roles.Supervisor), "aeo.suspended")], entity.Select(a => (a.Principal!, a.EntryType)));
    }

    [Fact]
    public async Task ActivityQueries_RefuseBadRanges_AndOfficers()
    {
        using var auditor = node.Client(Roles.Auditor);
        var problem = await Problem.ReadAsync(
            await auditor.GetAsync($"/api/audit/activity/principals/x?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"), HttpStatusCode.BadRequest);
        Assert.Contains("from", problem.Errors.Keys);
        using var officer = node.Client(Roles.Officer);
        await Problem.ReadAsync(await officer.GetAsync($"/api/audit/activity/principals/x?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z"), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await auditor.GetAsync($"/api/audit/activity/entities/aeo-operator/NLAEOF0999999?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PublicVerification_IsRateLimitedPerAddress_WhilePrincipalsHaveTheirOwnShare()
    {
        var limited = await ApiNode.StartAsync(o => o.Access.PublicVerifyPermitsPerMinute = 3);
        try
        {
            await RateLimitedAsync(limited);
        }
        finally
        {
            await limited.DisposeAsync();
        }
    }

    private static async Task RateLimitedAsync(ApiNode limited)
    {
        using var counts = new RefusalCounts();
        using var anonymous = limited.Client(null);
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await anonymous.GetAsync("/api/verify/aeo/NLAEOF0000001");
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var refused = await anonymous.GetAsync("/api/verify/aeo/NLAEOF0000001");
        var problem = await Problem.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal(ApiProblems.RateLimited, problem.Type);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.True(counts.Of("rate-limited", "public") >= 1);

        using var partner = limited.Client(Roles.Partner);
        using var partnerAnswer = await partner.GetAsync("/api/verify/aeo/NLAEOF0000001");
        Assert.Equal(HttpStatusCode.NotFound, partnerAnswer.StatusCode);
    }

    [Theory]
    [InlineData("Role", "clerk", "is not a role")]
    [InlineData("Id", "has space", "Node:Access:Principals:0:Id")]
    [InlineData("Administration", "XX", "must name a configured partner")]
    [InlineData("ApiKeySha256", "abc", "not 64 hex digits")]
    public void BadPrincipals_StopTheNode_WithTheReason(string property, string value, string expected)
    {
        var options = new NodeOptions { AdministrationId = "NL", SigningKeyPem = "unused" };
        var principal = new PrincipalOptions { Id = "nl-officer-1", Role = Roles.Partner, Administration = "BE", ApiKeySha256 = new string('a', 64) };
        options.Partners.Add(new PartnerOptions { Id = "BE" });
        typeof(PrincipalOptions).GetProperty(property)!.SetValue(principal, value);
        options.Access.Principals.Add(principal);
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void OneKeyForTwoPrincipals_IsRefused()
    {
        var options = new NodeOptions { AdministrationId = "NL", SigningKeyPem = "unused" };
        var digest = PrincipalDirectory.Digest("same");
        options.Access.Principals.Add(new PrincipalOptions { Id = "a", Role = Roles.Officer, ApiKeySha256 = digest });
        options.Access.Principals.Add(new PrincipalOptions { Id = "b", Role = Roles.Auditor, ApiKeySha256 = digest.ToUpperInvariant() });
        Assert.Contains(NodeOptionsValidation.Check(options), p => p.Contains("another principal's key", StringComparison.Ordinal));
    }

    private static object CertifyBody(string number) => new
    {
        aeoNumber = number,
        name = "Example Logistics B.V.",
        address = "Havenstraat 1, 3011 AA Rotterdam",
        programme = "AEOF",
        certifiedOn = "2026-01-15",
    };

    private static string Time(DateTimeOffset time) => Uri.EscapeDataString(EntryTime(time).ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    private static DateTimeOffset EntryTime(DateTimeOffset time) => Ledger.Entries.EntryBody.TruncateToMicros(time.ToUniversalTime());

    private static async Task<List<Activity>> AllPagesAsync(HttpClient http, string path)
    {
        var all = new List<Activity>();
        string? after = null;
        do
        {
            var page = await http.GetFromJsonAsync<ActivityPage>(path + (after is null ? string.Empty : "&after=" + after), ApiNode.Json);
            all.AddRange(page!.Activities);
            after = page.Next;
        }
        while (after is not null);
        return all;
    }

    /// <summary>Counts <see cref="MetricNames.ApiRefused"/> as it is recorded, from now on.</summary>
    private sealed class RefusalCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string, string), long> _counts = [];
        private readonly Lock _lock = new();

        public RefusalCounts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TelemetryNames.Meter && instrument.Name == MetricNames.ApiRefused)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? reason = null, role = null;
                foreach (var tag in tags)
                {
                    reason = tag.Key == MetricNames.ReasonTag ? tag.Value as string : reason;
                    role = tag.Key == MetricNames.RoleTag ? tag.Value as string : role;
                }

                lock (_lock)
                {
                    _counts[(reason!, role!)] = _counts.GetValueOrDefault((reason!, role!)) + value;
                }
            });
            _listener.Start();
        }

        public long Of(string reason, string role)
        {
            lock (_lock)
            {
                return _counts.GetValueOrDefault((reason, role));
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
