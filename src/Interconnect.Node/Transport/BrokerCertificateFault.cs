namespace Interconnect.Node.Transport;

/// <summary>Exactly why a broker's TLS certificate was refused; no fault means it was accepted.</summary>
public abstract record BrokerCertificateFault
{
    private BrokerCertificateFault()
    {
    }

    /// <summary>The broker, as the URI named it (host:port).</summary>
    public abstract string Broker { get; init; }

    /// <summary>A sentence for logs and readiness: what is wrong and what to change.</summary>
    public abstract string Describe();

    /// <summary>The broker presented no certificate.</summary>
    /// <param name="Broker">The broker (host:port).</param>
    public sealed record NoCertificate(string Broker) : BrokerCertificateFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The broker {Broker} presented no certificate.";
    }

    /// <summary>The certificate does not name the host the URI connects to.</summary>
    /// <param name="Broker">The broker (host:port).</param>
    /// <param name="Host">The host of the URI.</param>
    /// <param name="Subject">The certificate's subject.</param>
    /// <param name="Names">The DNS names and addresses the certificate is valid for.</param>
    public sealed record NameMismatch(string Broker, string Host, string Subject, IReadOnlyList<string> Names) : BrokerCertificateFault
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"The certificate of {Broker} ({Subject}) is not valid for the host \"{Host}\"; it names {(Names.Count == 0 ? "no subject alternative names" : string.Join(", ", Names))}. "
            + "Use one of those names in the URI, or have the broker's certificate reissued for this one.";
    }

    /// <summary>The certificate does not chain to a trusted authority (or is expired, revoked, not for servers).</summary>
    /// <param name="Broker">The broker (host:port).</param>
    /// <param name="Subject">The certificate's subject.</param>
    /// <param name="Issuer">The certificate's issuer.</param>
    /// <param name="Reason">The chain's status, as the platform reports it.</param>
    /// <param name="TrustedBy">Who was asked: the CA bundle's path, or "the system trust store".</param>
    public sealed record Untrusted(string Broker, string Subject, string Issuer, string Reason, string TrustedBy) : BrokerCertificateFault
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"The certificate of {Broker} ({Subject}, issued by {Issuer}) is not trusted by {TrustedBy}: {Reason}. "
            + "Put the authority that issued it in the PEM bundle named by Node:Transport:CaCertificatesPath.";
    }
}
