using System.Security.Cryptography;

namespace Interconnect.Ledger.Signing;

/// <summary>
/// A verification key: its algorithm and SubjectPublicKeyInfo (DER). The key id is derived from the
/// key itself (first 16 bytes of SHA-256 over the SPKI, lowercase hex), so it cannot be spoofed.
/// </summary>
public sealed class PublicKey
{
    /// <summary>Signature length for ECDSA P-256 in IEEE P1363 form.</summary>
    public const int P256SignatureLength = 64;

    private readonly ECDsa _ecdsa;
    private readonly byte[] _spki;

    private PublicKey(SignatureAlgorithm algorithm, byte[] spki, ECDsa ecdsa)
    {
        Algorithm = algorithm;
        _spki = spki;
        _ecdsa = ecdsa;
        KeyId = DeriveKeyId(spki);
    }

    /// <summary>The algorithm this key verifies.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The key id: hex of the first 16 bytes of SHA-256(SPKI DER).</summary>
    public string KeyId { get; }

    /// <summary>The SubjectPublicKeyInfo, DER-encoded.</summary>
    public ReadOnlySpan<byte> SubjectPublicKeyInfo => _spki;

    /// <summary>Imports an ECDSA P-256 SubjectPublicKeyInfo (DER).</summary>
    public static PublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length)
            {
                throw new FormatException("The public key has trailing bytes after its SubjectPublicKeyInfo.");
            }

            var curve = ecdsa.ExportParameters(false).Curve;
            if (!curve.IsNamed || curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new FormatException("Only ECDSA P-256 public keys are accepted.");
            }
        }
        catch (CryptographicException e)
        {
            ecdsa.Dispose();
            throw new FormatException("The public key is not a valid SubjectPublicKeyInfo: " + e.Message, e);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }

        return new PublicKey(SignatureAlgorithm.EcdsaP256Sha256, spki.ToArray(), ecdsa);
    }

    /// <summary>Imports a PEM "PUBLIC KEY" block.</summary>
    public static PublicKey FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            // A PEM of another key type (RSA) or a corrupt body is bad input like any other.
            throw new FormatException("The PEM text holds no usable ECDSA public key: " + e.Message, e);
        }

        return FromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The key as a PEM "PUBLIC KEY" block.</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", _spki);

    /// <summary>Verifies a signature over <paramref name="data"/>; false for a wrong length or algorithm.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, SignatureAlgorithm algorithm)
    {
        if (algorithm != Algorithm || signature.Length != P256SignatureLength)
        {
            return false;
        }

        return _ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Derives the key id of a SubjectPublicKeyInfo.</summary>
    public static string DeriveKeyId(ReadOnlySpan<byte> spki) => Convert.ToHexStringLower(SHA256.HashData(spki).AsSpan(0, 16));
}
