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

    private static AzureTableStorageOptions Options(string prefix) => new() { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix };
}
