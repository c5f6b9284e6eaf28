using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Audit;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.KeySets;
using Interconnect.Node.Audit;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Replication;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Keys;

/// <summary>A live rotation of NL's signing key while NL certifies AEOs that JP must endorse.</summary>
public sealed class KeyRotationTests
{
    [Fact]
    public async Task RotationWhileEntriesFlow_JpEndorsesEveryEntry_AndChainsAndCheckpointsVerifyOnBothSides()
    {
        await using var keys = await KeyMesh.StartAsync();
        var nl = keys.Node("NL");
        var jp = keys.Node("JP");
        var oldKey = nl.Signer.Current!.KeyId;
        var rejectedAtJp = keys.Queries("JP").RejectionsByReason.Values.Sum();
        var rejectedAtNl = keys.ReceivedAny("NL");
        var numbers = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var next = 0;
        var stop = false;

        // Four officers certify in a loop; the rotation is asked for mid-way and they go on after it.
        var certifying = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                var number = $"NLAEOF{9_100_000 + Interlocked.Increment(ref next):D7}";
                await keys.CertifyAsync(number);
                numbers.Enqueue(number);

                // Paced like officers, so the run stays a few hundred entries however fast the build.
                await Task.Delay(1);
            }
        })).ToList();
        await KeyMesh.WaitAsync(() => numbers.Count >= 24, "the first certifications");
        using var client = keys.Client("NL");
        var rotation = (await client.PostAsync("/api/keys/rotate", new { newKeyId = keys.NextKeyId }))!;
        var atRotation = numbers.Count;
        await KeyMesh.WaitAsync(() => numbers.Count >= atRotation + 24, "certifications after the rotation");
        Volatile.Write(ref stop, true);
        await Task.WhenAll(certifying);

        var rotatedAt = (DateTimeOffset)rotation["timestamp"]!;
        Assert.Equal("key.rotated", (string?)rotation["type"]);
        Assert.Equal(oldKey, (string?)rotation["signerKeyId"]);
        Assert.Equal(keys.NextKeyId, nl.Signer.Current!.KeyId);
        var rotationEntry = (await nl.Store.Entities.ReadAsync(new EntityKey("NL", KeySetFormat.EntityKind, "NL"), 2, 1))[0];
        Assert.Equal((DemoMesh.PrincipalId("NL", Roles.Supervisor), Roles.Supervisor), (rotationEntry[KeySetFormat.ActorField], rotationEntry[KeySetFormat.ActorRoleField]));

        // Every entry endorsed by JP; none rejected anywhere.
        var entities = numbers.Select(n => new EntityKey("NL", AeoOperatorGrain.EntityKind, n)).ToList();
        foreach (var entity in entities)
        {
            await keys.WaitEndorsedByJpAsync(entity, 1);
        }

        Assert.True(rejectedAtJp == keys.Queries("JP").RejectionsByReason.Values.Sum(), "rejections at JP: " + string.Join(", ", keys.Queries("JP").RejectionsByReason.Select(r => $"{r.Key}={r.Value}")));
        Assert.True(rejectedAtNl == keys.ReceivedAny("NL"), "rejections at NL: " + string.Join(", ", new[] { "JP", "BE" }.SelectMany(p => keys.Queries(p).RejectionsByReason.Select(r => $"{p} {r.Key}={r.Value}"))));

        // Entries before the rotation carry the old key id, entries from it on the new one; both sides verify every chain.
        var (before, after) = (0, 0);
        foreach (var entity in entities)
        {
            var ours = await nl.Store.Entities.ReadAsync(entity, 1, 10);
            var theirs = await jp.Store.Entities.ReadAsync(entity, 1, 10);
            Assert.Equal(ours.Select(e => e.Entry.Hash), theirs.Select(e => e.Entry.Hash));
            Assert.True(ChainVerifier.Verify(ours.Select(e => e.Entry), nl.Keys).IsValid, $"{entity} verifies at NL");
            Assert.True(ChainVerifier.Verify(theirs.Select(e => e.Entry), jp.PartnerKeys).IsValid, $"{entity} verifies at JP");
            foreach (var body in ours.Select(e => e.Entry.Body))
            {
                if (body.KeyId == oldKey)
                {
                    Assert.True(body.Timestamp < rotatedAt, $"{entity} #{body.Sequence} signed by the old key at {body.Timestamp:O}, not before the rotation at {rotatedAt:O}");
                    before++;
                }
                else
                {
                    Assert.Equal(keys.NextKeyId, body.KeyId);
                    Assert.True(body.Timestamp >= rotatedAt);
                    after++;
                }
            }
        }

        Assert.True(before >= 24 && after >= 20, $"{before} entries under the old key, {after} under the new");

        // JP holds the rotation; a fresh checkpoint (new key) and the one JP holds verify with JP's view of NL's keys.
        var nlAtJp = jp.Keys.Partner("NL")!;
        Assert.Equal(keys.NextKeyId, nlAtJp.Find(oldKey)!.Rotation!.SuccessorKeyId);
        var checkpoint = await nl.Log.CheckpointAsync();
        Assert.Equal(keys.NextKeyId, checkpoint.KeyId);
        Assert.Null(checkpoint.Verify(jp.PartnerKeys));
        var held = (await jp.StreamFromAsync("NL")).LastCheckpoint;
        Assert.NotNull(held);
        Assert.Null(SignedCheckpoint.Decode(held).Value!.Verify(jp.PartnerKeys));

        // An audit bundle of the whole run carries NL's key set with the rotation: entries under both keys verify offline from the genesis key.
        var export = await new AuditBundleExporter(nl).ExportRangeAsync(DateTimeOffset.UnixEpoch, Ledger.Entries.EntryBody.TruncateToMicros(DateTimeOffset.UtcNow.AddMinutes(1)));
        var bundle = Assert.IsType<AuditExport.Exported>(export).Bundle;
        Assert.Equal(2, bundle.KeySet.Length);
        var audit = AuditBundleVerifier.Verify(bundle, AuditVerificationOptions.TrustingKey(nlAtJp.Keys[0].PublicKey));
        Assert.True(audit.IsValid, string.Join("; ", audit.Problems));
        Assert.Contains(oldKey, audit.Summary!.SignerKeyIds);
        Assert.Contains(keys.NextKeyId, audit.Summary.SignerKeyIds);

        // What the API shows on both sides.
        var own = await client.GetAsync("/api/keys");
        Assert.Equal(keys.NextKeyId, (string?)own["currentKeyId"]);
        Assert.Equal("rotated", (string?)own["keys"]![0]!["status"]);
        using var jpClient = keys.Client("JP");
        var partner = await jpClient.GetAsync("/api/keys/NL");
        Assert.True((bool)partner["held"]!);
        Assert.Equal(["rotated", "valid"], partner["keys"]!.AsArray().Select(k => (string?)k!["status"]));
    }

    [Fact]
    public async Task RefusedOperations_AreProblemDetails_AndChangeNothing()
    {
        await using var keys = await KeyMesh.StartAsync();
        var nl = keys.Node("NL");
        using var client = keys.Client("NL");
        var sequence = nl.OwnKeys.KeySet!.Head!.Sequence;

        var notHeld = await client.PostAsync("/api/keys/rotate", new { newKeyId = "00112233445566778899aabbccddeeff" }, System.Net.HttpStatusCode.Conflict);
        Assert.Equal("key-not-held", (string?)notHeld!["code"]);
        var again = await client.PostAsync("/api/keys/rotate", new { newKeyId = nl.Signer.Current!.KeyId }, System.Net.HttpStatusCode.Conflict);
        Assert.Equal("key-in-set", (string?)again!["code"]);
        var unknown = await client.PostAsync("/api/keys/revoke", new { keyId = keys.StandbyKeyId, reason = "test" }, System.Net.HttpStatusCode.Conflict);
        Assert.Equal("unknown-key", (string?)unknown!["code"]);
        var farAhead = await client.PostAsync(
            "/api/keys/revoke", new { keyId = nl.Signer.Current!.KeyId, reason = "test", effectiveAt = DateTimeOffset.UtcNow.AddDays(30) }, System.Net.HttpStatusCode.BadRequest);
        Assert.Equal("urn:interconnect:problem:invalid-input", (string?)farAhead!["type"]);
        var noReason = await client.PostAsync("/api/keys/revoke", new { keyId = nl.Signer.Current!.KeyId }, System.Net.HttpStatusCode.BadRequest);
        Assert.NotNull(noReason!["errors"]!["reason"]);
        using var jpClient = keys.Client("JP");
        Assert.Null(await jpClient.FindAsync("/api/keys/XX"));

        Assert.Equal(sequence, nl.OwnKeys.KeySet!.Head!.Sequence);
    }
}
