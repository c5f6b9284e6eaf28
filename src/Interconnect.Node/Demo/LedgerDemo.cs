using System.Collections.Immutable;
using System.Diagnostics;
using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;

namespace Interconnect.Node.Demo;

/// <summary>
/// The embedded demo: the Netherlands (NL) certifies and suspends an AEO; Belgium (BE) receives
/// only the fields an MRA data-sharing policy allows, verifies signature, fields, chain and Merkle
/// inclusion against a signed checkpoint, and refuses forged entries with the exact reason.
/// Entries are handed over in process; over the mesh they travel as messages with the same checks.
/// </summary>
internal static class LedgerDemo
{
    private static readonly HashSet<string> PolicyForBe =
        new HashSet<string>(["aeoNumber", "name", "programme", "status", "validUntil", "effectiveAt"], StringComparer.Ordinal);

    public static async Task<int> RunAsync(TextWriter output, TimeProvider time)
    {
        var clock = Stopwatch.StartNew();
        await using var nl = await DemoAdministration.StartAsync("NL", time);
        await using var be = await DemoAdministration.StartAsync("BE", time);
        output.WriteLine("Interconnect demo: administrations NL and BE, embedded storage, one process.");

        // Each partner pins the other's key-set anchor and folds its key set.
        var nlKeysAtBe = new KeyRegistry();
        var nlKeySet = new KeySet(nl.Anchor);
        Require(nlKeySet.Apply(nl.KeySetGenesis) is null, "NL's key-set genesis must verify at BE");
        nlKeysAtBe.Add(nlKeySet);
        output.WriteLine($"[BE] pinned NL's key {nl.Signer.KeyId} from NL's signed key set");

        var aeo = nl.Runtime.GetGrain<IAeoOperatorGrain>("NLAEOF0000123");
        var certified = await aeo.Certify(new CertifyAeoOperator(
            "Example Logistics B.V.", "Havenstraat 1, 3011 AA Rotterdam", "AEOF", new DateOnly(2026, 1, 15), new DateOnly(2029, 1, 14)));
        output.WriteLine($"[NL] certified AEO {certified.AeoNumber}: status {AeoOperatorGrain.StatusName(certified.Status)}, entry {certified.LastEntryHash}");
        var suspended = await aeo.Suspend(new SuspendAeoCertification("Post-clearance audit finding PCA-2026-17"));
        output.WriteLine($"[NL] suspended AEO {suspended.AeoNumber}: entry {suspended.LastEntryHash}");

        var ledger = await aeo.GetLedger(1, 100);
        var checkpoint = await nl.Log.CheckpointAsync();
        output.WriteLine($"[NL] signed checkpoint: tree size {checkpoint.Checkpoint.TreeSize}, root {checkpoint.Checkpoint.RootHash}");

        var inbox = new PartnerInbox(be.Store.Entities, nlKeysAtBe);
        foreach (var entry in ledger)
        {
            var shared = entry with { Fields = entry.Fields.Where(f => PolicyForBe.Contains(f.Name)).ToImmutableArray() };
            var started = Stopwatch.GetTimestamp();
            var verdict = await inbox.ReceiveAsync(shared);
            var proof = await nl.Log.ProveInclusionAsync(entry.Entry.Hash, checkpoint.Checkpoint.TreeSize);
            var included = proof is { } p && MerkleVerifier.VerifyInclusion(MerkleHash.EntryLeaf(entry.Entry.Hash), p.Proof, checkpoint.Checkpoint.RootHash).IsValid;
            Require(verdict is null && included, verdict ?? "inclusion proof failed");
            output.WriteLine(
                $"[BE] accepted NL {entry.Entry.Body.EntryType} #{entry.Entry.Body.Sequence}: status={shared["status"]}, " +
                $"withheld as digests: {string.Join(", ", shared.WithheldFieldNames)}; in NL's log at leaf {proof!.Value.Leaf.Index} " +
                $"({Stopwatch.GetElapsedTime(started).TotalMilliseconds:N1} ms)");
        }

        Require(checkpoint.Verify(nlKeysAtBe) is null, "checkpoint signature");
        output.WriteLine("[BE] NL's checkpoint signature verifies with NL's pinned key");

        // Hostile inputs: each refused with the exact reason, nothing stored.
        using var stranger = Ledger.Signing.EcdsaP256Signer.Generate();
        var head = ledger[^1].Entry.Body;
        var forgedPayload = SealedPayload.Seal(new Dictionary<string, string> { ["aeoNumber"] = "NLAEOF0000123", ["status"] = "reinstated" });
        var forgedBody = new EntryBody("NL", head.EntityKind, head.EntityId, head.Sequence + 1, head.Hash, head.Timestamp.AddSeconds(1),
            "aeo.reinstated", forgedPayload.Commitments, stranger.KeyId, stranger.Algorithm);
        var forged = new DisclosedEntry(LedgerEntry.Sign(forgedBody, stranger), forgedPayload.Fields);
        output.WriteLine($"[BE] refused a reinstatement signed by an unknown key: {await inbox.ReceiveAsync(forged)}");

        var tampered = ledger[^1] with
        {
            Fields = ledger[^1].Fields.Where(f => PolicyForBe.Contains(f.Name)).Select(f => f.Name == "status" ? f with { Value = "certified" } : f).ToImmutableArray(),
        };
        output.WriteLine($"[BE] refused a copy with the status altered in transit: {await inbox.ReceiveAsync(tampered)}");

        var stored = await be.Store.Entities.GetHeadAsync(new EntityKey("NL", head.EntityKind, head.EntityId));
        Require(stored?.LastSequence == 2, "BE must hold exactly the two genuine entries");
        output.WriteLine($"[BE] holds NL's AEO chain through sequence {stored!.LastSequence}; nothing forged was stored.");
        output.WriteLine($"Done in {clock.Elapsed.TotalMilliseconds:N0} ms. The RabbitMQ mesh, HTTP API and web UI are not part of this build yet.");
        return 0;
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Demo check failed: " + what);
        }
    }

    /// <summary>What a receiving administration checks before it stores a partner's entry.</summary>
    private sealed class PartnerInbox(IEntityLedgerStore store, KeyRegistry keys)
    {
        public async Task<string?> ReceiveAsync(DisclosedEntry shared)
        {
            var body = shared.Entry.Body;
            var entity = new EntityKey(body.Origin, body.EntityKind, body.EntityId);
            var head = await store.GetHeadAsync(entity);
            var previous = head is null ? null : (await store.ReadAsync(entity, head.LastSequence, 1))[0].Entry.Body;
            var problem = ChainVerifier.VerifySignature(shared.Entry, keys)?.Describe()
                ?? shared.VerifyFields()?.Describe()
                ?? ChainVerifier.VerifyLink(previous, body)?.Describe();
            if (problem is not null)
            {
                return problem;
            }

            await store.AppendAsync(entity, head?.LastSequence ?? 0, [shared]);
            return null;
        }
    }
}
