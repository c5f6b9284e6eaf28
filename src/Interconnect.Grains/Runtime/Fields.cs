using System.Globalization;
using System.Text.RegularExpressions;

namespace Interconnect.Grains.Runtime;

/// <summary>Checks and formats command inputs; every refusal names the field and the rule.</summary>
public static class Fields
{
    /// <summary>The longest free-text field (names, addresses, reasons), in characters.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>Requires non-blank text of at most <paramref name="maxLength"/> characters with no control characters.</summary>
    public static string Text(string? value, string field, int maxLength = MaxTextLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidCommandException(field, $"{field} is required.");
        }

        if (value.Length > maxLength)
        {
            throw new InvalidCommandException(field, $"{field} is {value.Length} characters; at most {maxLength} allowed.");
        }

        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new InvalidCommandException(field, $"{field} contains control characters.");
        }

        return value.Trim();
    }

    /// <summary>Requires <paramref name="value"/> to match <paramref name="pattern"/>, described as <paramref name="format"/>.</summary>
    public static string Matching(string? value, string field, Regex pattern, string format)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (value is null || !pattern.IsMatch(value))
        {
            throw new InvalidCommandException(field, $"{field} \"{value}\" is out of format: expected {format}.");
        }

        return value;
    }

    /// <summary>ISO 8601 date.</summary>
    public static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 UTC timestamp with microseconds.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a date written by <see cref="Date"/>.</summary>
    public static DateOnly? ParseDate(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Parses a time written by <see cref="Time"/>.</summary>
    public static DateTimeOffset? ParseTime(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
