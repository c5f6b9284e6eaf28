using System.Security.Cryptography;
using System.Text;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// Shared Key authorization for the Table service. The Table service signs fewer headers than
/// Blob/Queue: VERB, Content-MD5, Content-Type, Date (the x-ms-date value) and the canonicalized
/// resource, which is "/" + account + the request's encoded URI path (so with path-style URLs the
/// account appears twice), plus "?comp=..." when that parameter is present.
/// </summary>
public static class TableSharedKey
{
    /// <summary>The Shared Key string to sign.</summary>
    public static string StringToSign(string method, string? contentMd5, string? contentType, string date, string canonicalizedResource) =>
        $"{method}\n{contentMd5}\n{contentType}\n{date}\n{canonicalizedResource}";

    /// <summary>The SharedKeyLite string to sign (date and resource only).</summary>
    public static string LiteStringToSign(string date, string canonicalizedResource) => $"{date}\n{canonicalizedResource}";

    /// <summary>The canonicalized resource of a request URI for <paramref name="accountName"/>.</summary>
    public static string CanonicalizedResource(string accountName, Uri requestUri)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        var resource = $"/{accountName}{requestUri.AbsolutePath}";
        var query = requestUri.Query.TrimStart('?');
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith("comp=", StringComparison.OrdinalIgnoreCase))
            {
                return $"{resource}?comp={Uri.UnescapeDataString(pair[5..])}";
            }
        }

        return resource;
    }

    /// <summary>Base64 HMAC-SHA256 of <paramref name="stringToSign"/> (UTF-8) with the account key.</summary>
    public static string Sign(ReadOnlySpan<byte> accountKey, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(stringToSign)));
}
