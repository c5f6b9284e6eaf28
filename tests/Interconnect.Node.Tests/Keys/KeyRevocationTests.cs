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
    public async Task ForgedKeySetEntryInAPlaceAlreadyHeld_IsRejectedBadSignature_WithoutAForkAlarm()
    {
        await using var keys = await KeyMesh.StartAsync();
        var jp = keys.Node("JP");
        using (var client = keys.Client("NL"))
        {
            await client.PostAsync("/api/keys/standby", new { keyId = keys.StandbyKeyId });
        }

        await KeyMesh.WaitAsync(() => jp.Keys.Partner("NL")?.Head?.Sequence >= 2, "NL's standby in its key set at JP");
        var head = jp.Keys.Partner("NL")!.Head!;
        var previous = (await jp.Store.Entities.ReadAsync(new EntityKey("NL", KeySetFormat.EntityKind, "NL"), head.Sequence - 1, 1))[0].Entry.Body;
        var received = keys.Received("NL", "bad-signature");

        // A thief's key added in the place of NL's last key-set entry, signed by the thief: not NL's fork, a forgery.
        using var thief = EcdsaP256Signer.Generate();
        var forged = KeyMesh.CraftKeySetEntry(previous, new KeyEvent.Added(thief.PublicKey), thief, DateTimeOffset.UtcNow);
        await keys.SendFromNlAsync("JP", new ReplicateEntityRange("NL", "JP", KeySetFormat.EntityKind, "NL", [Crafted.Wire(forged)]));

        await KeyMesh.WaitAsync(() => keys.Received("NL", "bad-signature") > received, "NL to receive JP's signed bad-signature rejection");
        Assert.DoesNotContain(keys.Queries("JP").Alarms, a => a.Partner == "NL" && a.Kind == "chain-fork");
        Assert.Equal(head.Hash, jp.Keys.Partner("NL")!.Head!.Hash);
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

    internal static long Counted(KeyMesh keys, string at, string reason = "key-revoked") => keys.Queries(at).RejectionsByReason.GetValueOrDefault(reason);

    internal static DateTimeOffset EntryBodyNow() => Ledger.Entries.EntryBody.TruncateToMicros(DateTimeOffset.UtcNow);
}
