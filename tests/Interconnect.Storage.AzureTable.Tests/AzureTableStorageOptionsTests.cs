namespace Interconnect.Storage.AzureTable.Tests;

public sealed class AzureTableStorageOptionsTests
{
    [Theory]
    [InlineData("gb")]
    [InlineData("G")]
    [InlineData("adminGB2026")]
    public void Valid_prefixes_make_valid_table_names(string prefix)
    {
        var store = new AzureTableNodeStore(Options(prefix), Azurite.Http, TimeProvider.System);

        Assert.Equal(prefix + "entities", store.EntitiesTable);
        Assert.InRange(store.EntitiesTable.Length, 3, 63);
        Assert.InRange(store.LogTable.Length, 3, 63);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("1gb", "start with a letter")]
    [InlineData("gb-customs", "letters and digits")]
    [InlineData("gb_customs", "letters and digits")]
    [InlineData("gbé", "letters and digits")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456", "at most 55")]
    public void Invalid_prefixes_are_refused_with_a_clear_message(string prefix, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new AzureTableNodeStore(Options(prefix), Azurite.Http, TimeProvider.System));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_retry_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => (Options("gb") with { MaxAttempts = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (Options("gb") with { BaseRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(1) }).Validate());
        Assert.Throws<ArgumentException>(() => (Options("gb") with { RequestTimeout = TimeSpan.Zero }).Validate());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("AccountName=gbcustoms")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=gbcustoms;AccountKey=not base64!")]
    public void A_connection_string_the_sdk_cannot_read_is_refused_when_the_store_is_built(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(
            () => new AzureTableNodeStore(Options("gb") with { ConnectionString = connectionString }, TimeProvider.System));

        Assert.StartsWith("Storage:AzureTable:ConnectionString is not a usable Azure Storage connection string", error.Message, StringComparison.Ordinal);
    }

    private static AzureTableStorageOptions Options(string prefix) => new() { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix };
}
