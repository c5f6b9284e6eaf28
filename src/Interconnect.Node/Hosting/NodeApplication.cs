using Interconnect.Node.Access;
using Interconnect.Node.Api;
using Interconnect.Node.Configuration;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;
using Interconnect.Node.Telemetry;
using Interconnect.Node.Transport;
using Interconnect.Storage;
using Interconnect.Storage.AzureTable;
using Interconnect.Storage.InMemory;
using MassTransit;

namespace Interconnect.Node.Hosting;

/// <summary>Builds one administration's node: storage, grains, bus, replication, HTTP API and web UI.</summary>
public static class NodeApplication
{
    /// <summary>Builds the node from <paramref name="options"/>; throws <see cref="NodeConfigurationException"/> listing every problem.</summary>
    public static WebApplication Build(NodeOptions options, NodeHostSettings? settings = null, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        NodeOptionsValidation.Validate(options);
        return Build(CreateBuilder(args ?? []), options, settings);
    }

    /// <summary>
    /// Builds the node the run command serves from one configuration, read by the host: appsettings.json,
    /// environment variables and the command line <paramref name="args"/>. The "Node" section binds
    /// <see cref="NodeOptions"/>; the same configuration gives Kestrel its URLs (ASPNETCORE_URLS,
    /// ASPNETCORE_HTTPS_PORTS, --urls) and HTTPS certificate (Kestrel:Certificates:Default).
    /// Throws <see cref="NodeConfigurationException"/> listing every problem.
    /// </summary>
    public static WebApplication BuildFromConfiguration(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = CreateBuilder(args);
        var options = new NodeOptions();
        builder.Configuration.GetSection(NodeOptions.Section).Bind(options);
        List<string> problems = [.. NodeOptionsValidation.Check(options), .. NodeOptionsValidation.CheckHttps(builder.Configuration, builder.Environment.ContentRootPath)];
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }

        // Ports as configured (Node:Cluster), not the in-process defaults.
        return Build(builder, options, new NodeHostSettings { SiloPort = null, GatewayPort = null });
    }

    internal static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(NodeApplication).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });

        // The slim builder leaves out Kestrel's HTTPS configuration: without it an https URL with
        // Kestrel:Certificates:Default fails at start. No HTTPS redirection or HSTS: a node behind an
        // ingress that terminates TLS serves plain HTTP to it (docs/transport-security.md).
        builder.WebHost.UseKestrelHttpsConfiguration();
        return builder;
    }

    private static WebApplication Build(WebApplicationBuilder builder, NodeOptions options, NodeHostSettings? settings)
    {
        settings ??= new NodeHostSettings();
        if (settings.Urls.Count > 0)
        {
            builder.WebHost.UseUrls([.. settings.Urls]);
        }

        if (options.Access.Principals.Any(p => !string.IsNullOrWhiteSpace(p.CertificateSha256)))
        {
            // Principals are pinned by thumbprint, so any certificate may be offered; the handler decides.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            }));
        }

        builder.Logging.AddFilter("Interconnect", settings.LogLevel);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        // Its first check after a silo starts measures from an unset time and warns of a stall of the
        // process's age; the health checks and the grain-call metrics watch for real stalls.
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        AddNode(builder.Services, options, settings);
        var app = builder.Build();
        app.MapInterconnectApi(settings);
        return app;
    }

    /// <summary>Registers everything one node needs on <paramref name="services"/>.</summary>
    public static void AddNode(IServiceCollection services, NodeOptions options, NodeHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(options);
        services.AddSingleton(options.Replication);
        services.AddSingleton(settings.Time);
        services.AddSingleton(NodeOptionsValidation.LoadSigner(options));
        services.AddSingleton<INodeStore>(sp => CreateStore(options, settings, sp));
        services.AddSingleton<AdministrationNode>();
        // Telemetry's providers start before, and stop after, everything they observe.
        services.AddNodeTelemetry(options.AdministrationId);

        // Hosted services start in registration order: the silo (the log is a grain), then storage, the
        // log and the key set, then the bus, then replication.
        NodeSilo.AddNodeSilo(services, options, settings);
        services.AddSingleton<NodeStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeStartup>());
        services.AddHostedService<LogRepair>();

        services.AddSingleton<MeshAlarms>();
        services.AddSingleton<AgreementBook>();
        services.AddSingleton<ClusterChanges>();
        services.AddSingleton<ReplicationScope>();
        services.AddSingleton<InboundReceiver>();
        services.AddSingleton<ReceiptRecorder>();
        services.AddSingleton<PartnerReplicator>();
        services.AddSingleton<IMeshQueries, MeshQueries>();
        services.AddSingleton<IMeshCommands, MeshCommands>();

        if (options.Transport.Kind == TransportKinds.RabbitMq)
        {
            RabbitMqTransport.AddRabbitMqTransport(services, options, ConfigureInbound);
        }
        else
        {
            var mesh = settings.Mesh ?? new InMemoryMesh();
            services.AddSingleton(mesh);
            services.AddSingleton<IPartnerChannel, InMemoryPartnerChannel>();
            services.AddMassTransit(x =>
            {
                x.AddConsumer<PartnerMessagesConsumer>();
                x.UsingInMemory((context, cfg) =>
                    cfg.ReceiveEndpoint(QueueNames.Inbound(options.AdministrationId), e => ConfigureInbound(e, context)));
            });
            services.AddHostedService<InMemoryMeshMembership>();
        }

        services.AddHostedService(sp => sp.GetRequiredService<PartnerReplicator>());
        services.AddInterconnectApi();
        services.AddInterconnectAccess(options);
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>(ReadinessChecks.Storage, tags: [ReadinessChecks.Tag])
            .AddCheck<BrokerHealthCheck>(ReadinessChecks.Broker, tags: [ReadinessChecks.Tag])
            .AddCheck<SigningKeyHealthCheck>(ReadinessChecks.SigningKey, tags: [ReadinessChecks.Tag])
            .AddCheck<ClusterHealthCheck>(ReadinessChecks.Cluster, tags: [ReadinessChecks.Tag]);
    }

    /// <summary>
    /// The inbound endpoint: one message at a time, so each origin's entries apply in order; a message
    /// that cannot be read goes to the error queue with the reason and never stops the consumer.
    /// A message that fails for another reason (storage or broker away) is retried for about a
    /// minute before it goes to the error queue: an acknowledgement parked there would take its
    /// receipts with it, and the partner's later acknowledgements move the cursor past them.
    /// </summary>
    public static void ConfigureInbound(IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.UseMessageRetry(r =>
        {
            r.Ignore<MalformedMessageException>();
            r.Intervals(100, 500, 2000, 5000, 10000, 15000, 30000);
        });
        endpoint.ConfigureConsumer<PartnerMessagesConsumer>(context);
    }

    // A store the host passes in is shared (the silos of one administration in one process) and stays the host's.
    private static INodeStore CreateStore(NodeOptions options, NodeHostSettings settings, IServiceProvider services) =>
        settings.Store ?? (options.Storage.Provider == StorageProviders.AzureTable
            ? new AzureTableNodeStore(
                NodeOptionsValidation.StorageOf(options),
                new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
                services.GetRequiredService<TimeProvider>())
            : new InMemoryNodeStore());
}
