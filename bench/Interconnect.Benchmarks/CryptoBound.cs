using System.Security.Cryptography;
using Interconnect.Benchmarks.Report;

namespace Interconnect.Benchmarks;

/// <summary>
/// The crypto bound: raw ECDSA P-256 / SHA-256 sign and verify on one thread, on an input of an
/// entry's typical size, straight through .NET (no ledger code). Every pipeline figure is set
/// against it, measured in the same run.
/// </summary>
internal static class CryptoBound
{
    private const int Batch = 32;

    /// <summary>Measures sign, then verify, each for <paramref name="seconds"/> after a short warm-up.</summary>
    public static CryptoSample Measure(string taken, double seconds)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var input = new byte[420];
        var signature = key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var sign = Benchmarks.Measure.For("raw ECDSA P-256 sign", seconds, Batch, () =>
        {
            for (var i = 0; i < Batch; i++)
            {
                key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        });
        var verify = Benchmarks.Measure.For("raw ECDSA P-256 verify", seconds, Batch, () =>
        {
            for (var i = 0; i < Batch; i++)
            {
                key.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        });
        return new CryptoSample(taken, sign.PerSecond, verify.PerSecond, seconds);
    }
}
