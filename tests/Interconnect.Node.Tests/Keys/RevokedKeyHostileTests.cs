using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.KeySets;
using Interconnect.Node.Telemetry;
using Interconnect.Node.Tests.Hostile;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Keys;

/// <summary>
/// The revoked-key case of the hostile-input suite (its row in docs/reliability.md): an entry signed
/// with a key NL revoked, dated after the revocation's effective time, sent on NL's links.
/// </summary>
public sealed class RevokedKeyHostileTests
{
    [Fact]
    public async Task EmergencyRevocation_EntriesSignedAfterItAreRejectedEverywhere_EarlierOnesStillVerify_AndTheStandbySignsOn()
    {
        await using var keys = await KeyMesh.StartAsync();
        var nl = keys.Node("NL");
        var jp = keys.Node("JP");
        var be = keys.Node("BE");
        using var client = keys.Client("NL");
        await client.PostAsync("/api/keys/standby", new { keyId = keys.StandbyKeyId });
        await KeyMesh.WaitAsync(() => jp.Keys.Partner("NL")!.Find(keys.StandbyKeyId) is not null && be.Keys.Partner("NL")!.Find(keys.StandbyKeyId) is not null, "the standby key at JP and BE");

        // An entry NL signed with K before the compromise.
        var stolen = nl.Signer.Current!;
        const string Before = "NLAEOF0007001";
        var early = new EntityKey("NL", AeoOperatorGrain.EntityKind, Before);
        await keys.CertifyAsync(Before);
        await keys.WaitEndorsedByJpAsync(early, 1);

        // K is revoked effective T; NL switches to its standby.
        var effectiveAt = KeyRevocationTests.EntryBodyNow();
        var revocation = (await client.PostAsync("/api/keys/revoke", new { keyId = stolen.KeyId, effectiveAt, reason = "signing host compromised" }))!;
        Assert.Equal(keys.StandbyKeyId, (string?)revocation["signerKeyId"]);
        Assert.Equal(keys.StandbyKeyId, nl.Signer.Current!.KeyId);
        await KeyMesh.WaitAsync(() => jp.Keys.Partner("NL")!.Find(stolen.KeyId)!.Revocation is not null && be.Keys.Partner("NL")!.Find(stolen.KeyId)!.Revocation is not null, "the revocation at JP and BE");

        // The thief signs an entry with K after T and puts it on NL's links to JP and BE.
        var jpBefore = await StoredState.TakeAsync(jp);
        var beBefore = await StoredState.TakeAsync(be);
        var (received, issuedJp, issuedBe, countedJp) = (keys.Received("NL", "key-revoked"), keys.Issued("JP", "key-revoked"), keys.Issued("BE", "key-revoked"), KeyRevocationTests.Counted(keys, "JP"));
        var head = (await jp.Store.Entities.GetHeadAsync(early))!;
        var forged = Crafted.Entry("NL", early.Kind, early.Id, head.LastSequence + 1, head.LastHash, Reinstated(Before), stolen);
        Assert.True(forged.Entry.Body.Timestamp >= effectiveAt);
        await keys.SendFromNlAsync("JP", new ReplicateEntityRange("NL", "JP", early.Kind, early.Id, [Crafted.Wire(forged)]));
        await keys.SendFromNlAsync("BE", new ReplicateEntityRange("NL", "BE", early.Kind, early.Id, [Crafted.Wire(forged)]));

        await KeyMesh.WaitAsync(() => keys.Received("NL", "key-revoked") >= received + 2, "NL to receive the signed key-revoked rejections of JP and BE");
        Assert.Equal(issuedJp + 1, keys.Issued("JP", "key-revoked"));
        Assert.Equal(issuedBe + 1, keys.Issued("BE", "key-revoked"));
        Assert.Equal(countedJp + 1, KeyRevocationTests.Counted(keys, "JP"));
        var reason = keys.AtNl.Seen.Single(r => r.Issuer == "JP" && r.EntryHash == forged.Entry.Hash && r.Verdict == Ledger.Receipts.ReceiptVerdict.Rejected).Reason;
        Assert.StartsWith("key-revoked: ", reason, StringComparison.Ordinal);
        Assert.Contains("signing host compromised", reason, StringComparison.Ordinal);
        Assert.Contains(KeySetFormat.FormatTime(effectiveAt), reason, StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(jpBefore, await StoredState.TakeAsync(jp));
        Assert.Equal(beBefore, await StoredState.TakeAsync(be));

        // What K signed before T still verifies at JP.
        var held = await jp.Store.Entities.ReadAsync(early, 1, 10);
        Assert.Equal(stolen.KeyId, held[0].Entry.Body.KeyId);
        Assert.True(ChainVerifier.Verify(held.Select(e => e.Entry), jp.PartnerKeys).IsValid);

        // NL goes on under its standby key; JP endorses.
        const string After = "NLAEOF0007002";
        var late = new EntityKey("NL", AeoOperatorGrain.EntityKind, After);
        await keys.CertifyAsync(After);
        await keys.WaitEndorsedByJpAsync(late, 1);
        Assert.Equal(keys.StandbyKeyId, (await jp.Store.Entities.ReadAsync(late, 1, 1))[0].Entry.Body.KeyId);
        HostileRowFor(keys, received).Write();
    }

    private static Dictionary<string, string> Reinstated(string number) => new()
    {
        ["aeoNumber"] = number,
        ["status"] = "certified",
        ["reason"] = "reinstated by the holder of a stolen key",
    };

    private static HostileRow HostileRowFor(KeyMesh keys, long before) => new(
        14,
        "revoked-key",
        "after NL revoked its key K effective T (standby taking over), an entry for NL signed with K and dated after T, on NL's links to JP and BE",
        "key-revoked (signed receipt naming the effective time and reason), nothing stored; K's entries before T still verify; the standby's entries endorsed",
        $"key-revoked at JP and BE ({keys.Received("NL", "key-revoked") - before} signed rejections back at NL); earlier entry verifies; standby entry endorsed",
        $"{MetricNames.EntriesRejected}{{reason=key-revoked}} +1 at JP and at BE",
        "unchanged");
}
