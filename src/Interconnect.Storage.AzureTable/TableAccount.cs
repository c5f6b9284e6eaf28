namespace Interconnect.Storage.AzureTable;

/// <summary>
/// The storage account a connection string names: account, Shared Key and Table endpoint.
/// Real accounts use host-style URLs (https://acct.table.core.windows.net); the emulator and
/// custom endpoints with the account in the path use path-style URLs (http://127.0.0.1:10002/acct).
/// </summary>
/// <param name="AccountName">The storage account name.</param>
/// <param name="AccountKey">The decoded Shared Key (a secret).</param>
/// <param name="TableEndpoint">Base URL of the Table service, without a trailing slash.</param>
public sealed record TableAccount(string AccountName, byte[] AccountKey, Uri TableEndpoint)
{
    /// <summary>The emulator's well-known account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, published key (not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The emulator's Table endpoint.</summary>
    public static readonly Uri DevelopmentTableEndpoint = new("http://127.0.0.1:10002/devstoreaccount1");

    /// <summary>Parses a connection string; throws <see cref="ArgumentException"/> naming what is missing or wrong.</summary>
    public static TableAccount Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Split at the first '=' only: base64 keys end in '=' padding.
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"The connection string setting \"{Redact(part)}\" is not of the form Name=Value.", nameof(connectionString));
            }

            settings[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            return new TableAccount(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), DevelopmentTableEndpoint);
        }

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw new ArgumentException("Shared access signatures are not supported; give AccountName and AccountKey.", nameof(connectionString));
        }

        if (!settings.TryGetValue("AccountName", out var name) || name.Length == 0)
        {
            throw new ArgumentException("The connection string has no AccountName.", nameof(connectionString));
        }

        if (!settings.TryGetValue("AccountKey", out var keyText) || keyText.Length == 0)
        {
            throw new ArgumentException("The connection string has no AccountKey.", nameof(connectionString));
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(keyText);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The connection string's AccountKey is not base64.", nameof(connectionString), e);
        }

        Uri endpoint;
        if (settings.TryGetValue("TableEndpoint", out var explicitEndpoint) && explicitEndpoint.Length > 0)
        {
            if (!Uri.TryCreate(explicitEndpoint.TrimEnd('/'), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"TableEndpoint \"{explicitEndpoint}\" is not an absolute http(s) URL.", nameof(connectionString));
            }

            endpoint = parsed;
        }
        else
        {
            var protocol = settings.TryGetValue("DefaultEndpointsProtocol", out var p) && p.Length > 0 ? p.ToLowerInvariant() : "https";
            if (protocol is not ("http" or "https"))
            {
                throw new ArgumentException($"DefaultEndpointsProtocol \"{protocol}\" is neither http nor https.", nameof(connectionString));
            }

            var suffix = settings.TryGetValue("EndpointSuffix", out var s) && s.Length > 0 ? s : "core.windows.net";
            endpoint = new Uri($"{protocol}://{name}.table.{suffix}");
        }

        return new TableAccount(name, key, endpoint);
    }

    /// <summary>True when the account name is in the URL path (emulator, custom endpoints), not in the host.</summary>
    public bool UsesPathStyle => TableEndpoint.AbsolutePath.Trim('/').Length > 0;

    /// <summary>The absolute URL of a resource under the Table endpoint (<paramref name="relative"/> has no leading slash).</summary>
    public Uri Resolve(string relative) => new($"{TableEndpoint.AbsoluteUri.TrimEnd('/')}/{relative}");

    /// <inheritdoc />
    public override string ToString() => $"TableAccount {{ AccountName = {AccountName}, TableEndpoint = {TableEndpoint} }}";

    private static string Redact(string part) => part.Length <= 12 ? part : part[..12] + "...";
}
