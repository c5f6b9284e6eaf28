using System.Net;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Api.AeoOperators;
using Interconnect.Node.Api.Ledgers;
using Interconnect.Node.Api.Tests.Support;

namespace Interconnect.Node.Api.Tests;

[Collection(SharedApiNode.Name)]
public sealed class LedgerApiTests(ApiNode node)
{
    private async Task<string> SuspendedAeoAsync()
    {
        var number = ApiNode.NewAeoNumber();
        await node.PostAsync<AeoOperatorResponse>("/api/aeo-operators", new
        {
            aeoNumber = number, name = "Example Logistics B.V.", address = "Havenstraat 1", programme = "AEOS", certifiedOn = "2026-02-01",
        });
        await node.PostAsync<AeoOperatorResponse>($"/api/aeo-operators/{number}/suspend", new { reason = "Audit finding PCA-2026-17" });
        return number;
    }

    [Fact]
    public async Task Read_ReturnsSignedChainedEntries_ThatVerifyWithTheNodesKey()
    {
        var number = await SuspendedAeoAsync();
        var about = await node.GetAsync<NodeResponse>("/api/node");

        var ledger = await node.GetAsync<EntityLedgerResponse>($"/api/ledger/aeo-operator/{number}");

        Assert.Equal(new EntityReference("NL", "aeo-operator", number), ledger.Entity);
        Assert.Equal(2UL, ledger.LastSequence);
        Assert.Null(ledger.NextFrom);
        Assert.Equal(["aeo.certified", "aeo.suspended"], ledger.Entries.Select(e => e.EntryType));
        Assert.Equal(ledger.Entries[0].EntryHash, ledger.Entries[1].PreviousHash);
        Assert.Equal("suspended", ledger.Entries[1].Fields["status"]);
        Assert.Equal("Audit finding PCA-2026-17", ledger.Entries[1].Fields["reason"]);
        Assert.Empty(ledger.Entries[1].WithheldFields);

        var entries = ledger.Entries.Select(e => LedgerEntry.Decode(Convert.FromBase64String(e.Encoded)).Value!).ToList();
        var keys = new StaticKeyResolver([("NL", PublicKey.FromPem(about.PublicKeyPem))]);
        Assert.True(ChainVerifier.Verify(entries, keys).IsValid);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(ledger.Entries[i].EntryHash, entries[i].Hash.ToString());
            Assert.Equal(about.KeyId, ledger.Entries[i].KeyId);
            Assert.Equal(Convert.ToHexStringLower(entries[i].Signature), ledger.Entries[i].Signature);
            foreach (var (name, value) in ledger.Entries[i].Fields)
            {
                var salt = Convert.FromBase64String(ledger.Entries[i].Salts[name]);
                Assert.Equal(entries[i].Body.Field(name)!.Digest, FieldDigest.Compute(salt, name, value));
            }
        }
    }

    [Fact]
    public async Task Read_WithFromAndMax_ReturnsOnePageAndTheNextCursor()
    {
        var number = await SuspendedAeoAsync();

        var first = await node.GetAsync<EntityLedgerResponse>($"/api/ledger/aeo-operator/{number}?from=1&max=1");
        var second = await node.GetAsync<EntityLedgerResponse>($"/api/ledger/aeo-operator/{number}?from={first.NextFrom}&max=1");

        Assert.Equal(1UL, Assert.Single(first.Entries).Sequence);
        Assert.Equal(2UL, first.NextFrom);
        Assert.Equal(2UL, Assert.Single(second.Entries).Sequence);
        Assert.Null(second.NextFrom);
    }

    [Fact]
    public async Task Read_FromZero_Returns400NamingFrom()
    {
        var number = await SuspendedAeoAsync();

        var problem = await Problem.ReadAsync(await node.GetAsync($"/api/ledger/aeo-operator/{number}?from=0"), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("from"));
    }

    [Fact]
    public async Task Read_UnknownEntity_Returns404()
    {
        await Problem.ReadAsync(await node.GetAsync($"/api/ledger/aeo-operator/{ApiNode.NewAeoNumber()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Read_KindOutOfFormat_Returns400NamingKind()
    {
        var problem = await Problem.ReadAsync(await node.GetAsync("/api/ledger/-aeo/NLAEOF1"), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey("kind"));
    }
}
