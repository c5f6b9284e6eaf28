namespace Interconnect.Ledger.Signing;

/// <summary>
/// The algorithm identifier carried in every signature (u16 on the wire). Values are never reused.
/// </summary>
public enum SignatureAlgorithm : ushort
{
    /// <summary>ECDSA over NIST P-256 with SHA-256; the signature is IEEE P1363 r||s, 64 bytes.</summary>
    EcdsaP256Sha256 = 1,
}
