using System.Security.Cryptography;

namespace Interconnect.Ledger.Signing;

/// <summary>An in-process ECDSA P-256 / SHA-256 signer (IEEE P1363 signatures).</summary>
public sealed class EcdsaP256Signer : ISigner, IDisposable
{
    private readonly ECDsa _ecdsa;

    private EcdsaP256Signer(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        PublicKey = PublicKey.FromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <inheritdoc />
    public string KeyId => PublicKey.KeyId;

    /// <inheritdoc />
    public SignatureAlgorithm Algorithm => SignatureAlgorithm.EcdsaP256Sha256;

    /// <inheritdoc />
    public PublicKey PublicKey { get; }

    /// <summary>Generates a fresh key pair from the system's secure random source.</summary>
    public static EcdsaP256Signer Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a PEM private key ("PRIVATE KEY" PKCS#8 or "EC PRIVATE KEY" SEC1).</summary>
    public static EcdsaP256Signer FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            var curve = ecdsa.ExportParameters(false).Curve;
            if (!curve.IsNamed || curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new FormatException("The signing key must be an ECDSA P-256 key.");
            }

            return new EcdsaP256Signer(ecdsa);
        }
        catch (ArgumentException e)
        {
            ecdsa.Dispose();
            throw new FormatException("The PEM text holds no usable ECDSA private key: " + e.Message, e);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>Loads a raw P-256 private scalar (32 bytes, big-endian); for golden vectors.</summary>
    public static EcdsaP256Signer FromPrivateScalar(ReadOnlySpan<byte> d)
    {
        var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d.ToArray() });
        return new EcdsaP256Signer(ecdsa);
    }

    /// <summary>The private key as PKCS#8 PEM (for writing a key file; handle as a secret).</summary>
    public string ExportPrivateKeyPem() => _ecdsa.ExportPkcs8PrivateKeyPem();

    /// <inheritdoc />
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose() => _ecdsa.Dispose();
}
