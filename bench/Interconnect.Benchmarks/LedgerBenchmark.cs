using System.Diagnostics;
using System.Security.Cryptography;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;

namespace Interconnect.Benchmarks;

/// <summary>
/// Ledger core throughput, single thread: the raw ECDSA sign and verify rates (the crypto bound),
/// then sign + append + Merkle and full entry verification, and a long append run for memory.
/// </summary>
internal static class LedgerBenchmark
{
    private static readonly Dictionary<string, string> AeoFields = new()
    {
        ["aeoNumber"] = "NLAEOF0000123",
        ["name"] = "Example Logistics B.V.",
        ["address"] = "Havenstraat 1, 3011 AA Rotterdam, NL",
        ["programme"] = "AEOF",
        ["status"] = "certified",
        ["validFrom"] = "2026-01-01",
    };

    public static Dictionary<string, object> Run(double seconds, long longRunEntries)
    {
        using var signer = EcdsaP256Signer.Generate();
        var keys = new StaticKeyResolver([("NL", signer.PublicKey)]);
        var start = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

        // The crypto bound: the same primitive on an input of an entry's typical size.
        var sample = BuildChain(signer, 1, start)[0];
        var input = sample.Entry.Body.SigningInput.ToArray();
        var signature = sample.Entry.Signature.ToArray();
        using var raw = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rawPublic = signer.PublicKey;
        void RawSign()
        {
            for (var i = 0; i < 64; i++)
            {
                raw.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }

        void RawVerify()
        {
            for (var i = 0; i < 64; i++)
            {
                rawPublic.Verify(input, signature, SignatureAlgorithm.EcdsaP256Sha256);
            }
        }

        // Sign + append + Merkle: seal the payload, build the body, sign, append to the chain and log.
        var log = new MerkleLog();
        EntryBody? previous = null;
        var at = start;
        var rounds = Math.Max(3, (int)Math.Round(seconds));
        var (rawSign, signAppend, signRatio) = Paired.Measure("raw ECDSA P-256 sign", "sign + append + Merkle", rounds, 1.0, 64, RawSign, () =>
        {
            for (var i = 0; i < 64; i++)
            {
                var entry = NextEntry(signer, previous, at = at.AddTicks(10), AeoFields);
                log.AppendEntry(entry.Entry.Hash);
                previous = entry.Entry.Body;
            }
        });

        // Where the time goes: each stage of the pipeline alone.
        var sealOnly = Measure.For("  stage: seal payload (6 fields)", Math.Min(seconds, 1), 64, () =>
        {
            for (var i = 0; i < 64; i++)
            {
                SealedPayload.Seal(AeoFields);
            }
        });
        var sealedOnce = SealedPayload.Seal(AeoFields);
        var bodyOnly = Measure.For("  stage: build body + hash", Math.Min(seconds, 1), 64, () =>
        {
            for (var i = 0; i < 64; i++)
            {
                _ = new EntryBody("NL", "aeo-operator", "NLAEOF0000123", 5, sample.Entry.Hash, start, "aeo.certified", sealedOnce.Commitments, signer.KeyId, signer.Algorithm);
            }
        });
        var signOnly = Measure.For("  stage: sign via ISigner", Math.Min(seconds, 1), 64, () =>
        {
            for (var i = 0; i < 64; i++)
            {
                signer.Sign(input);
            }
        });
        var merkleOnly = Measure.For("  stage: Merkle append", Math.Min(seconds, 1), 1024, () =>
        {
            for (var i = 0; i < 1024; i++)
            {
                log.AppendEntry(sample.Entry.Hash);
            }
        });

        // Verification of received entries: chain link, signature, every disclosed field, and the
        // entry's inclusion proof against the signed checkpoint's root.
        var received = BuildChain(signer, 2048, start);
        var receivedLog = new MerkleLog();
        foreach (var e in received)
        {
            receivedLog.AppendEntry(e.Entry.Hash);
        }

        var root = receivedLog.Root();
        var proofs = received.Select((_, i) => receivedLog.ProveInclusion(i, receivedLog.Size)).ToArray();
        var cursor = 0;
        var (rawVerify, verify, verifyRatio) = Paired.Measure("raw ECDSA P-256 verify", "verify (link + signature + fields)", rounds, 1.0, 64, RawVerify, () =>
        {
            for (var i = 0; i < 64; i++)
            {
                var index = cursor++ % received.Count;
                var entry = received[index];
                var link = ChainVerifier.VerifyLink(index == 0 ? null : received[index - 1].Entry.Body, entry.Entry.Body);
                if (link is not null || ChainVerifier.VerifySignature(entry.Entry, keys) is not null || entry.VerifyFields() is not null)
                {
                    throw new InvalidOperationException("A valid entry failed verification.");
                }
            }
        });
        var inclusion = Measure.For("inclusion proof verify", Math.Min(seconds, 1), 256, () =>
        {
            for (var i = 0; i < 256; i++)
            {
                var index = cursor++ % received.Count;
                if (!MerkleVerifier.VerifyInclusion(MerkleHash.EntryLeaf(received[index].Entry.Hash), proofs[index], root).IsValid)
                {
                    throw new InvalidOperationException("A valid proof failed.");
                }
            }
        });

        // The long run: append many entries and watch memory stay bounded (entries are not kept;
        // the log keeps about 64 bytes of node hashes per leaf).
        var longLog = new MerkleLog();
        previous = null;
        var clock = Stopwatch.StartNew();
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        for (long n = 0; n < longRunEntries; n++)
        {
            var entry = NextEntry(signer, previous, at = at.AddTicks(10), AeoFields);
            longLog.AppendEntry(entry.Entry.Hash);
            previous = entry.Entry.Body;
        }

        var longSeconds = clock.Elapsed.TotalSeconds;
        var process = Process.GetCurrentProcess();
        var longRun = new Rate($"long run ({longRunEntries:N0} entries)", longRunEntries, longSeconds);

        Console.WriteLine(rawSign);
        Console.WriteLine(rawVerify);
        Console.WriteLine(signAppend);
        Console.WriteLine(sealOnly);
        Console.WriteLine(bodyOnly);
        Console.WriteLine(signOnly);
        Console.WriteLine(merkleOnly);
        Console.WriteLine(verify);
        Console.WriteLine(inclusion);
        Console.WriteLine(longRun);
        Console.WriteLine($"ratio sign+append+Merkle / raw sign   {signRatio:N3}  (median of {rounds} paired rounds; target >= 0.7)");
        Console.WriteLine($"ratio verify / raw verify             {verifyRatio:N3}  (median of {rounds} paired rounds; target >= 0.7)");
        Console.WriteLine($"peak working set {process.PeakWorkingSet64 / 1048576.0:N0} MiB; working set before long run {before / 1048576.0:N0} MiB, after {process.WorkingSet64 / 1048576.0:N0} MiB; Merkle root {longLog.Root()}");

        return new Dictionary<string, object>
        {
            ["pairedRounds"] = rounds,
            ["rawSignPerSecond"] = rawSign.PerSecond,
            ["rawVerifyPerSecond"] = rawVerify.PerSecond,
            ["signAppendMerklePerSecond"] = signAppend.PerSecond,
            ["verifyPerSecond"] = verify.PerSecond,
            ["inclusionVerifyPerSecond"] = inclusion.PerSecond,
            ["signAppendRatioToRawSign"] = signRatio,
            ["verifyRatioToRawVerify"] = verifyRatio,
            ["longRunEntries"] = longRunEntries,
            ["longRunPerSecond"] = longRun.PerSecond,
            ["peakWorkingSetMiB"] = process.PeakWorkingSet64 / 1048576.0,
            ["workingSetBeforeLongRunMiB"] = before / 1048576.0,
            ["workingSetAfterLongRunMiB"] = process.WorkingSet64 / 1048576.0,
        };
    }

    private static DisclosedEntry NextEntry(ISigner signer, EntryBody? previous, DateTimeOffset at, Dictionary<string, string> fields)
    {
        var payload = SealedPayload.Seal(fields);
        var body = new EntryBody(
            "NL", "aeo-operator", "NLAEOF0000123", (previous?.Sequence ?? 0) + 1, previous?.Hash ?? Hash256.Zero,
            at, "aeo.certified", payload.Commitments, signer.KeyId, signer.Algorithm);
        return new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);
    }

    private static List<DisclosedEntry> BuildChain(ISigner signer, int count, DateTimeOffset start)
    {
        var chain = new List<DisclosedEntry>(count);
        EntryBody? previous = null;
        for (var i = 0; i < count; i++)
        {
            var entry = NextEntry(signer, previous, start.AddTicks(10L * (i + 1)), AeoFields);
            chain.Add(entry);
            previous = entry.Entry.Body;
        }

        return chain;
    }
}
