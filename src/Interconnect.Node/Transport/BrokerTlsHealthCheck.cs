using Interconnect.Node.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interconnect.Node.Transport;

/// <summary>
/// Not ready while our own broker's certificate is refused, saying why: the bus's own check only
/// says it cannot connect. A partner's refused certificate does not make this node unready (it is
/// logged, and the link shows as not connected).
/// </summary>
internal sealed class BrokerTlsHealthCheck(BrokerTrust trust, NodeOptions options) : IHealthCheck
{
    private readonly RabbitMqBrokerAddress _broker = RabbitMqBrokerAddress.Parse(options.Transport.BrokerUri);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(trust.LatestFault(_broker) is { } fault
            ? HealthCheckResult.Unhealthy($"TLS to our broker {_broker} is refused: {fault.Describe()}")
            : HealthCheckResult.Healthy(_broker.UseTls ? $"TLS to {_broker} as configured." : $"{_broker} without TLS."));
}
