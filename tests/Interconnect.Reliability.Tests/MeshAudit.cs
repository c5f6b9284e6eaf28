using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;

namespace Interconnect.Reliability.Tests;

/// <summary>What the audit after a fault run found: the counts that must be 0, and what was re-verified.</summary>
public sealed record AuditFindings(
    int Committed,
    int Lost,
    int Duplicated,
    int Unexpected,
    int ChainsVerified,
    int CheckpointsVerified,
    int Unendorsed,
    IReadOnlyList<string> Problems);

/// <summary>
/// Reads every node's tables directly after a run and compares them with what the officers'
/// streams committed: an entry is lost when a party entitled to it lacks it (or its origin does),
/// duplicated when it is held twice (two ledger entries for one certification, a hash twice in a
/// log), unexpected when a node holds an entry nobody committed or a copy that differs from the
/// original. Every chain, every signature, every field digest and every node's latest checkpoint
/// is verified again.
/// </summary>
public static class MeshAudit
{
    private const string Kind = "aeo-operator";

    public static async Task<AuditFindings> RunAsync(LabMesh mesh, IReadOnlyList<OfficerWorkload> streams)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(streams);
        using var http = new HttpClient();
        var stores = mesh.Administrations.ToDictionary(a => a, a => (INodeStore)mesh.OpenStore(a, http));
        var problems = new List<string>();
        int lost = 0, duplicated = 0, unexpected = 0, chains = 0, checkpoints = 0, unendorsed = 0;
        var keys = mesh.Keys;

        foreach (var stream in streams)
        {
            var origin = stream.Administration;
            var committed = stream.Committed.ToHashSet(StringComparer.Ordinal);
            lost += stream.Unresolved.Count;
            problems.AddRange(stream.Unresolved.Select(n => $"{origin}: the outcome of certifying {n} stayed unknown"));

            // At the origin: one entry per certification, each in the log exactly once.
            var originals = new Dictionary<string, IReadOnlyList<Hash256>>(StringComparer.Ordinal);
            foreach (var number in committed)
            {
                var entries = await stores[origin].Entities.ReadAsync(new EntityKey(origin, Kind, number), 1, 100);
                originals[number] = [.. entries.Select(e => e.Entry.Hash)];
                if (entries.Count == 0)
                {
                    lost++;
                    problems.Add($"{origin} committed {number} but does not hold it");
                }
                else if (entries.Count > 1)
                {
                    duplicated += entries.Count - 1;
                    problems.Add($"{origin} holds {entries.Count} entries for the one certification of {number}");
                }

                var receipts = await stores[origin].Receipts.ListAsync(new EntityKey(origin, Kind, number));
                unendorsed += mesh.Administrations.Count(p => p != origin && !receipts.Any(r => r.Issuer == p && r.Sequence == 1));
            }

            foreach (var number in await ListAsync(stores[origin], origin))
            {
                if (number.StartsWith(origin + "AEO", StringComparison.Ordinal) && !committed.Contains(number))
                {
                    unexpected++;
                    problems.Add($"{origin} holds {number}, which no officer committed");
                }
            }

            // At each partner the MRA entitles: the same entries, once, and nothing else.
            foreach (var partner in mesh.Administrations.Where(a => a != origin))
            {
                var held = (await ListAsync(stores[partner], origin)).ToHashSet(StringComparer.Ordinal);
                foreach (var number in committed)
                {
                    if (!held.Contains(number))
                    {
                        lost++;
                        problems.Add($"{partner} lacks {origin}'s {number}");
                        continue;
                    }

                    var copy = await stores[partner].Entities.ReadAsync(new EntityKey(origin, Kind, number), 1, 100);
                    var original = originals[number];
                    if (copy.Count > original.Count)
                    {
                        duplicated += copy.Count - original.Count;
                        problems.Add($"{partner} holds {copy.Count} entries of {origin}'s {number}, the origin {original.Count}");
                    }

                    for (var i = 0; i < Math.Min(copy.Count, original.Count); i++)
                    {
                        if (copy[i].Entry.Hash != original[i])
                        {
                            unexpected++;
                            problems.Add($"{partner}'s copy of {origin}'s {number} entry {i + 1} differs from the original");
                        }
                    }
                }

                foreach (var number in held.Where(n => !committed.Contains(n)))
                {
                    unexpected++;
                    problems.Add($"{partner} holds {origin}'s {number}, which no officer committed");
                }
            }
        }

        // Every chain and every field digest on every node, and every node's log against its checkpoint.
        foreach (var node in mesh.Administrations)
        {
            foreach (var origin in mesh.Administrations)
            {
                foreach (var kind in new[] { Kind, "mra-agreement" })
                {
                    await foreach (var entity in stores[node].Entities.ListAsync(origin, kind))
                    {
                        var entries = await stores[node].Entities.ReadAsync(entity, 1, 1000);
                        var verification = ChainVerifier.Verify(entries.Select(e => e.Entry), keys);
                        if (!verification.IsValid)
                        {
                            problems.Add($"{node}: the chain of {entity} does not verify: {verification}");
                        }

                        foreach (var fault in entries.Select(e => e.VerifyFields()).OfType<Interconnect.Ledger.Disclosure.DisclosureFault>())
                        {
                            problems.Add($"{node}: {entity}: {fault.Describe()}");
                        }

                        chains++;
                    }
                }
            }

            var (checkpointProblem, leafDuplicates) = await VerifyLogAsync(node, stores[node], keys);
            duplicated += leafDuplicates;
            if (checkpointProblem is null)
            {
                checkpoints++;
            }
            else
            {
                problems.Add(checkpointProblem);
            }
        }

        var committedTotal = streams.Sum(s => s.Committed.Count);
        return new AuditFindings(committedTotal, lost, duplicated, unexpected, chains, checkpoints, unendorsed, problems);
    }

    private static async Task<List<string>> ListAsync(INodeStore store, string origin)
    {
        var ids = new List<string>();
        await foreach (var entity in store.Entities.ListAsync(origin, Kind))
        {
            ids.Add(entity.Id);
        }

        return ids;
    }

    private static async Task<(string? Problem, int DuplicateLeaves)> VerifyLogAsync(string node, INodeStore store, Interconnect.Ledger.Signing.IKeyResolver keys)
    {
        var size = await store.Log.GetSizeAsync();
        var hashes = new List<Hash256>();
        for (long from = 0; from < size;)
        {
            var page = await store.Log.ReadAsync(from, 1000);
            if (page.Count == 0)
            {
                return ($"{node}: its log claims {size} leaves but ends at {from}", 0);
            }

            hashes.AddRange(page.Select(l => l.EntryHash));
            from += page.Count;
        }

        var duplicates = hashes.Count - hashes.Distinct().Count();
        var encoded = await store.Log.GetLatestCheckpointAsync();
        if (encoded is null)
        {
            return (size == 0 ? null : $"{node}: no signed checkpoint for a log of {size} leaves", duplicates);
        }

        var decoded = SignedCheckpoint.Decode(encoded);
        if (decoded.Value is not { } checkpoint)
        {
            return ($"{node}: its latest checkpoint does not decode: {decoded.Error}", duplicates);
        }

        if (checkpoint.Verify(keys) is { } fault)
        {
            return ($"{node}: its latest checkpoint's signature does not verify: {fault}", duplicates);
        }

        if (checkpoint.Checkpoint.TreeSize > hashes.Count)
        {
            return ($"{node}: its checkpoint covers {checkpoint.Checkpoint.TreeSize} leaves, its log holds {hashes.Count}", duplicates);
        }

        var root = MerkleLog.Load(hashes).RootAt(checkpoint.Checkpoint.TreeSize);
        return root == checkpoint.Checkpoint.RootHash
            ? (null, duplicates)
            : ($"{node}: the log's root at size {checkpoint.Checkpoint.TreeSize} is {root}, its signed checkpoint says {checkpoint.Checkpoint.RootHash}", duplicates);
    }
}
