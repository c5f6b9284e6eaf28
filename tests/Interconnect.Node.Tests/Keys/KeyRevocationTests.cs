using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Telemetry;
using Interconnect.Node.Tests.Hostile;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Keys;

/// <summary>NL's key set under attack: an emergency revocation of a stolen key, and key-set entries that do not fold.</summary>
public sealed class KeyRevocationTests
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
        var effectiveAt = EntryBodyNow();
        var revocation = (await client.PostAsync("/api/keys/revoke", new { keyId = stolen.KeyId, effectiveAt, reason = "signing host compromised" }))!;
        Assert.Equal(keys.StandbyKeyId, (string?)revocation["signerKeyId"]);
        Assert.Equal(keys.StandbyKeyId, nl.Signer.Current!.KeyId);
        await KeyMesh.WaitAsync(() => jp.Keys.Partner("NL")!.Find(stolen.KeyId)!.Revocation is not null && be.Keys.Partner("NL")!.Find(stolen.KeyId)!.Revocation is not null, "the revocation at JP and BE");

        // The thief signs an entry with K after T and puts it on NL's links to JP and BE.
        var jpBefore = await StoredState.TakeAsync(jp);
        var beBefore = await StoredState.TakeAsync(be);
        var (received, issuedJp, issuedBe, countedJp) = (keys.Received("NL", "key-revoked"), keys.Issued("JP", "key-revoked"), keys.Issued("BE", "key-revoked"), Counted(keys, "JP"));
        var head = (await jp.Store.Entities.GetHeadAsync(early))!;
        var forged = Crafted.Entry("NL", early.Kind, early.Id, head.LastSequence + 1, head.LastHash, Reinstated(Before), stolen);
        Assert.True(forged.Entry.Body.Timestamp >= effectiveAt);
        await keys.SendFromNlAsync("JP", new ReplicateEntityRange("NL", "JP", early.Kind, early.Id, [Crafted.Wire(forged)]));
        await keys.SendFromNlAsync("BE", new ReplicateEntityRange("NL", "BE", early.Kind, early.Id, [Crafted.Wire(forged)]));

        await KeyMesh.WaitAsync(() => keys.Received("NL", "key-revoked") >= received + 2, "NL to receive the signed key-revoked rejections of JP and BE");
        Assert.Equal(issuedJp + 1, keys.Issued("JP", "key-revoked"));
        Assert.Equal(issuedBe + 1, keys.Issued("BE", "key-revoked"));
        Assert.Equal(countedJp + 1, Counted(keys, "JP"));
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

    [Fact]
    public async Task RevokingTheCurrentKeyWithoutAStandby_StopsSigning_AndReadinessSaysWhy()
    {
        await using var keys = await KeyMesh.StartAsync();
        var nl = keys.Node("NL");
        using var client = keys.Client("NL");
        var current = nl.Signer.Current!.KeyId;

        await client.PostAsync("/api/keys/revoke", new { keyId = current, reason = "retired in a hurry" });

        Assert.Null(nl.Signer.Current);
        var ready = await new HttpClient { BaseAddress = keys.Mesh.UrlOf("NL") }.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var text = await ready.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("signing-key", text, StringComparison.Ordinal);
        Assert.Contains(current, text, StringComparison.Ordinal);
        var refused = await client.PostAsync("/api/aeo-operators", new { aeoNumber = "NLAEOF0007003", name = "X B.V.", address = "Kade 2, Delft", programme = "AEOF", certifiedOn = "2026-03-01" }, System.Net.HttpStatusCode.Conflict);
        Assert.Equal("no-signing-key", (string?)refused!["code"]);
        var own = await client.GetAsync("/api/keys");
        Assert.Equal("revoked", (string?)own["keys"]![0]!["status"]);
        Assert.NotNull((string?)own["cannotSign"]);
    }

    [Fact]
    public async Task KeySetEntryThatDoesNotFold_IsRejectedWithASignedReason_AndThePartnersKeySetIsUnchanged()
    {
        await using var keys = await KeyMesh.StartAsync();
        var jp = keys.Node("JP");
        var nlAtJp = jp.Keys.Partner("NL")!;
        var head = nlAtJp.Head!;
        var current = nlAtJp.ValidAt(DateTimeOffset.UtcNow).Single();
        var (received, counted) = (keys.Received("NL", "key-set-refused"), Counted(keys, "JP", "key-set-refused"));

        // A rotation of NL's key to the thief's key, signed by the thief's key rather than by the key it replaces.
        using var thief = EcdsaP256Signer.Generate();
        var rotation = KeyMesh.CraftKeySetEntry(head, new KeyEvent.Rotated(thief.PublicKey, current.KeyId), thief, DateTimeOffset.UtcNow);
        await keys.SendFromNlAsync("JP", new ReplicateEntityRange("NL", "JP", KeySetFormat.EntityKind, "NL", [Crafted.Wire(rotation)]));

        await KeyMesh.WaitAsync(() => keys.Received("NL", "key-set-refused") > received, "NL to receive JP's signed key-set-refused rejection");
        Assert.Equal(counted + 1, Counted(keys, "JP", "key-set-refused"));
        Assert.Equal(head.Hash, jp.Keys.Partner("NL")!.Head!.Hash);
        Assert.Null(jp.Keys.Partner("NL")!.Find(thief.KeyId));
        Assert.Equal(head.Sequence, (await jp.Store.Entities.GetHeadAsync(new EntityKey("NL", KeySetFormat.EntityKind, "NL")))!.LastSequence);
        Assert.IsType<KeyLookup.Unknown>(jp.PartnerKeys.Resolve("NL", thief.KeyId, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task RevocationReachingBack_RaisesAnAlarmNamingEntriesAlreadyTaken_AndTheyStayStored()
    {
        await using var keys = await KeyMesh.StartAsync();
        var nl = keys.Node("NL");
        var jp = keys.Node("JP");
        using var client = keys.Client("NL");
        await client.PostAsync("/api/keys/standby", new { keyId = keys.StandbyKeyId });
        var compromised = nl.Signer.Current!.KeyId;
        var compromisedAt = EntryBodyNow();
        const string Taken = "NLAEOF0007010";
        var entity = new EntityKey("NL", AeoOperatorGrain.EntityKind, Taken);
        await keys.CertifyAsync(Taken);
        await keys.WaitEndorsedByJpAsync(entity, 1);

        // The compromise is found later: the revocation takes effect before an entry JP already endorsed.
        await client.PostAsync("/api/keys/revoke", new { keyId = compromised, effectiveAt = compromisedAt, reason = "key found on a stolen laptop" });

        await KeyMesh.WaitAsync(() => keys.Queries("JP").Alarms.Any(a => a.Partner == "NL" && a.Kind == "revoked-key-entries"), "JP's alarm about entries it already took");
        var alarm = keys.Queries("JP").Alarms.First(a => a.Kind == "revoked-key-entries");
        Assert.Contains($"{entity} #1", alarm.Message, StringComparison.Ordinal);
        Assert.Contains(compromised, alarm.Message, StringComparison.Ordinal);
        Assert.Equal(1UL, (await jp.Store.Entities.GetHeadAsync(entity))!.LastSequence);
    }

    private static long Counted(KeyMesh keys, string at, string reason = "key-revoked") => keys.Queries(at).RejectionsByReason.GetValueOrDefault(reason);

    private static DateTimeOffset EntryBodyNow() => Ledger.Entries.EntryBody.TruncateToMicros(DateTimeOffset.UtcNow);

    private static Dictionary<string, string> Reinstated(string number) => new()
    {
        ["aeoNumber"] = number,
        ["status"] = "certified",
        ["reason"] = "reinstated by the holder of a stolen key",
    };

    private static HostileRow HostileRowFor(KeyMesh keys, long before) => new(
        13,
        "revoked-key",
        "after NL revoked its key K effective T (standby taking over), an entry for NL signed with K and dated after T, on NL's links to JP and BE",
        "key-revoked (signed receipt naming the effective time and reason), nothing stored; K's entries before T still verify; the standby's entries endorsed",
        $"key-revoked at JP and BE ({keys.Received("NL", "key-revoked") - before} signed rejections back at NL); earlier entry verifies; standby entry endorsed",
        $"{MetricNames.EntriesRejected}{{reason=key-revoked}} +1 at JP and at BE",
        "unchanged");
}
