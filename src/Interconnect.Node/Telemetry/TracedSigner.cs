using Interconnect.Ledger.Signing;

namespace Interconnect.Node.Telemetry;

/// <summary>The node's signing key with a span around each signature (entries, checkpoints), so the time spent in the key shows in the trace.</summary>
internal sealed class TracedSigner(ISigner inner, NodeTelemetry telemetry) : ISigner
{
    public string KeyId => inner.KeyId;

    public SignatureAlgorithm Algorithm => inner.Algorithm;

    public PublicKey PublicKey => inner.PublicKey;

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        using var span = telemetry.StartSpan("sign");
        span?.SetTag("interconnect.key_id", inner.KeyId);
        return inner.Sign(data);
    }
}
