using System.Text.RegularExpressions;

namespace Interconnect.Storage.AzureTable;

/// <summary>Settings of the Azure Table storage provider (section "Storage:AzureTable").</summary>
public sealed partial record AzureTableStorageOptions
{
    /// <summary>Longest prefix: the longest table suffix ("entities", 8) must still fit in 63 characters.</summary>
    public const int MaxTablePrefixLength = 55;

    /// <summary>A standard Azure Storage connection string, or "UseDevelopmentStorage=true" for Azurite.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// Prefix of this administration's table names (letters and digits, starting with a letter), so
    /// several administrations can share one account without seeing each other's data.
    /// </summary>
    public required string TablePrefix { get; init; }

    /// <summary>Attempts per request, the first included, before a transient failure is reported.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Backoff before the second attempt; doubles per attempt, with jitter.</summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest backoff between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for one attempt before it counts as a (retryable) timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> saying which setting is wrong.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("Storage:AzureTable:ConnectionString is required.", nameof(ConnectionString));
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
