namespace Interconnect.Storage.AzureTable;

/// <summary>
/// The storage emulator's well-known development account (Azurite), for configuration and tests
/// that spell a connection string out instead of "UseDevelopmentStorage=true". Connection strings
/// themselves are read by the Azure SDK.
/// </summary>
public static class TableAccount
{
    /// <summary>The emulator's well-known account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, published key (not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
}
