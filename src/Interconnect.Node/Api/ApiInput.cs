using System.Globalization;
using Interconnect.Grains.Runtime;

namespace Interconnect.Node.Api;

/// <summary>
/// Checks of route values, query parameters and body fields that the grains do not see. Each refusal
/// is an <see cref="InvalidCommandException"/> naming the field, so it becomes a 400 with an
/// <c>errors</c> map like the grains' own refusals.
/// </summary>
internal static class ApiInput
{
    /// <summary>Default page size of lists.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Largest page of lists and ledger reads.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Requires an identifier (administration id, entity kind or id) in the ledger's grammar.</summary>
    public static string Identifier(string? value, string field)
    {
        var problem = Ledger.Entries.Identifier.Explain(value);
        if (problem is not null)
        {
            throw new InvalidCommandException(field, $"{field} \"{value}\" {problem}.");
        }

        return value!;
    }

    /// <summary>An optional identifier: null stays null.</summary>
    public static string? OptionalIdentifier(string? value, string field) =>
        string.IsNullOrEmpty(value) ? null : Identifier(value, field);

    /// <summary>Requires a value that JSON left null.</summary>
    public static T Required<T>(T? value, string field)
        where T : struct =>
        value ?? throw new InvalidCommandException(field, $"{field} is required.");

    /// <summary>Requires a string that JSON left null or empty.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidCommandException(field, $"{field} is required.") : value;

    /// <summary>A page size: <see cref="DefaultLimit"/> when omitted, 1 to <see cref="MaxLimit"/>.</summary>
    public static int Limit(int? value, string field = "limit") => value switch
    {
        null => DefaultLimit,
        < 1 or > MaxLimit => throw new InvalidCommandException(field, $"{field} {value} is out of range: 1 to {MaxLimit}."),
        _ => value.Value,
    };

    /// <summary>A sequence number from 1 (1 when omitted).</summary>
    public static ulong Sequence(long? value, string field)
    {
        if (value is < 1)
        {
            throw new InvalidCommandException(field, $"{field} {value} is out of range: sequences start at 1.");
        }

        return (ulong)(value ?? 1);
    }

    /// <summary>Requires an ISO 8601 time (UTC Z or an offset) in whole microseconds, the ledger's precision.</summary>
    public static DateTimeOffset Time(string? value, string field)
    {
        var text = Required(value, field);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new InvalidCommandException(field, $"{field} \"{text}\" is not an ISO 8601 time such as 2026-11-20T00:00:00Z (in a URL, write an offset's + as %2B).");
        }

        if (time.UtcTicks % TimeSpan.TicksPerMicrosecond != 0)
        {
            throw new InvalidCommandException(field, $"{field} \"{text}\" is finer than a microsecond, the ledger's precision.");
        }

        return time;
    }

    /// <summary>The response's Location for a resource under <paramref name="collection"/>.</summary>
    public static string Location(string collection, string id) => $"{collection}/{Uri.EscapeDataString(id)}";

    /// <summary>Milliseconds from <paramref name="from"/> to <paramref name="to"/> (timings shown to officers).</summary>
    public static double Milliseconds(DateTimeOffset from, DateTimeOffset to) => Math.Round((to - from).TotalMilliseconds, 3);
}
