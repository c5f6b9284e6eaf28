namespace Interconnect.Ledger.Signing;

/// <summary>Produces signatures with one private key. Implementations may live in an HSM.</summary>
public interface ISigner
{
    /// <summary>The id of the key that signs (see <see cref="PublicKey.KeyId"/>).</summary>
    string KeyId { get; }

    /// <summary>The algorithm of the signatures produced.</summary>
    SignatureAlgorithm Algorithm { get; }

    /// <summary>The matching verification key.</summary>
    PublicKey PublicKey { get; }

    /// <summary>Signs <paramref name="data"/> (the exact signing input bytes).</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}
