using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;

namespace Interconnect.Storage.AzureTable;

/// <summary>Settings of the Azure Table storage provider (section "Storage:AzureTable").</summary>
public sealed partial record AzureTableStorageOptions
{
    /// <summary>Longest prefix: the longest table suffix ("entities", 8) must still fit in 63 characters.</summary>
    public const int MaxTablePrefixLength = 55;

    /// <summary>
    /// A standard Azure Storage connection string, or "UseDevelopmentStorage=true" for Azurite.
    /// Give this or <see cref="ServiceUri"/>.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// The account's Table endpoint (https://{account}.table.core.windows.net), reached with the
    /// node's own Azure identity instead of an account key: <c>DefaultAzureCredential</c>, so a
    /// workload or managed identity where the node runs in Azure (AZURE_CLIENT_ID names a
    /// user-assigned one). The identity needs the "Storage Table Data Contributor" role on the
    /// account. Give this or <see cref="ConnectionString"/>.
    /// </summary>
    public Uri? ServiceUri { get; init; }

    /// <summary>
    /// Prefix of this administration's table names (letters and digits, starting with a letter), so
    /// several administrations can share one account without seeing each other's data.
    /// </summary>
    public required string TablePrefix { get; init; }

    /// <summary>
    /// Attempts per request, the first included, before a transient failure (408, 429, 5xx, a
    /// timeout, a connection error) is reported; the SDK's retry policy makes them. A 409 or 412
    /// is an answer and never retried.
    /// </summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>
    /// Backoff before the second attempt; doubles per attempt, with jitter of ±20 % (the SDK's).
    /// With the defaults a request that keeps failing fast is reported after at most about 2.7 s of
    /// waiting (150, 300, 600, 1200 ms), inside the 5 s a node's readiness check gives storage.
    /// </summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Longest backoff between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for one attempt before it counts as a (retryable) timeout: the SDK's network timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> saying which setting is wrong.</summary>
    public void Validate()
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (!hasConnectionString && ServiceUri is null)
        {
            throw new ArgumentException("Storage:AzureTable:ConnectionString is required (or ServiceUri, to connect with a managed identity).", nameof(ConnectionString));
        }

        if (hasConnectionString && ServiceUri is not null)
        {
            throw new ArgumentException("Storage:AzureTable takes a ConnectionString or a ServiceUri, not both.", nameof(ServiceUri));
        }

        // Azure.Core sends bearer tokens over TLS only; refused here rather than on the first request.
        if (ServiceUri is { } uri && !(uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Storage:AzureTable:ServiceUri \"{uri}\" must be an absolute https URL.", nameof(ServiceUri));
        }

        ValidateTablePrefix(TablePrefix);
        if (MaxAttempts is < 1 or > 20)
        {
            throw new ArgumentException($"MaxAttempts is 1 to 20; {MaxAttempts} given.", nameof(MaxAttempts));
        }

        if (BaseRetryDelay < TimeSpan.Zero || MaxRetryDelay < BaseRetryDelay)
        {
            throw new ArgumentException("BaseRetryDelay must be non-negative and not above MaxRetryDelay.", nameof(BaseRetryDelay));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RequestTimeout must be positive.", nameof(RequestTimeout));
        }
    }

    /// <summary>
    /// The SDK client these options describe: retries as configured above, each attempt counted
    /// (see <see cref="AttemptCounting"/>), requests sent through <paramref name="transport"/> when
    /// given, and with a <see cref="ServiceUri"/> authorized by <paramref name="credential"/>
    /// (<c>DefaultAzureCredential</c> when null). Throws <see cref="ArgumentException"/> for invalid settings.
    /// </summary>
    internal TableServiceClient CreateServiceClient(HttpPipelineTransport? transport, TokenCredential? credential)
    {
        Validate();
        var client = new TableClientOptions();
        if (transport is not null)
        {
            client.Transport = transport;
        }

        // The defaults already stop after a few transient failures; these make that bound and
        // the waits this node's own, short enough that a node reports a storage outage quickly.
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.MaxRetries = MaxAttempts - 1;
        client.Retry.Delay = BaseRetryDelay;
        client.Retry.MaxDelay = MaxRetryDelay;
        client.Retry.NetworkTimeout = RequestTimeout;
        client.AddPolicy(new AttemptCounting(), HttpPipelinePosition.PerRetry);
        if (ServiceUri is { } serviceUri)
        {
            return new TableServiceClient(serviceUri, credential ?? new DefaultAzureCredential(), client);
        }

        try
        {
            // Validate() leaves a connection string whenever there is no service URI.
            return new TableServiceClient(ConnectionString!, client);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message names the missing or malformed setting, never the key's value.
            throw new ArgumentException($"Storage:AzureTable:ConnectionString is not a usable Azure Storage connection string: {e.Message}", e);
        }
    }

    /// <summary>Throws unless <paramref name="prefix"/> makes valid Azure table names with every suffix.</summary>
    public static void ValidateTablePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            throw new ArgumentException("The table prefix is required (letters and digits, starting with a letter).", nameof(prefix));
        }

        if (prefix.Length > MaxTablePrefixLength)
        {
            throw new ArgumentException(
                $"The table prefix \"{prefix}\" is {prefix.Length} characters; at most {MaxTablePrefixLength}, because Azure table names are at most 63 characters.",
                nameof(prefix));
        }

        if (!PrefixPattern().IsMatch(prefix))
        {
            throw new ArgumentException(
                $"The table prefix \"{prefix}\" is invalid: Azure table names hold only ASCII letters and digits and start with a letter.",
                nameof(prefix));
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixPattern();
}
