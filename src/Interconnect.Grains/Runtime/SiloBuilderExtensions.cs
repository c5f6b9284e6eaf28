using Interconnect.Grains.Log;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;

namespace Interconnect.Grains.Runtime;

/// <summary>Adds the customs grains of one administration to an Orleans silo.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Registers what the grains share (<paramref name="administration"/>, one per silo) and lets
    /// the project's own exceptions cross grain calls with their type and message, so a caller on any
    /// silo sees the storage or rule error the grain raised.
    /// </summary>
    public static ISiloBuilder AddInterconnectGrains(this ISiloBuilder silo, Func<IServiceProvider, AdministrationContext> administration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(administration);
        silo.Services.AddSingleton(administration);
        // The silo that holds the log grain tells its own components when the log grows; none by default.
        silo.Services.TryAddSingleton<ILogAppendedObserver, NoAppendedObserver>();
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Interconnect"));
        return silo;
    }
}

internal sealed class NoAppendedObserver : ILogAppendedObserver
{
    public void OnAppended(long size)
    {
    }
}
