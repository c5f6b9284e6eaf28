namespace Interconnect.Storage.AzureTable.Tests;

public sealed class TableAccountTests
{
    [Fact]
    public void Development_storage_is_azurite_with_the_well_known_account_path_style()
    {
        var account = TableAccount.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.TableEndpoint);
        Assert.True(account.UsesPathStyle);
        Assert.Equal(64, account.AccountKey.Length);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1/Tables", account.Resolve("Tables").AbsoluteUri);
    }

    [Fact]
    public void A_real_account_gets_a_host_style_endpoint_from_protocol_and_suffix()
    {
        var account = TableAccount.Parse(
            "DefaultEndpointsProtocol=https;AccountName=gbcustoms;AccountKey=aW50ZXJjb25uZWN0LXRlc3Qta2V5LTAxMjM0NTY3ODk=;EndpointSuffix=core.usgovcloudapi.net");

        Assert.Equal("gbcustoms", account.AccountName);
        Assert.Equal(new Uri("https://gbcustoms.table.core.usgovcloudapi.net"), account.TableEndpoint);
        Assert.False(account.UsesPathStyle);
        Assert.Equal("interconnect-test-key-0123456789"u8.ToArray(), account.AccountKey);
    }

    [Fact]
    public void Defaults_are_https_and_core_windows_net()
    {
        var account = TableAccount.Parse("AccountName=gbcustoms;AccountKey=aW50ZXJjb25uZWN0LXRlc3Qta2V5LTAxMjM0NTY3ODk=");

        Assert.Equal(new Uri("https://gbcustoms.table.core.windows.net"), account.TableEndpoint);
    }

    [Fact]
    public void An_explicit_table_endpoint_with_the_account_in_the_path_is_path_style()
    {
        var account = TableAccount.Parse(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + TableAccount.DevelopmentAccountKey
            + ";TableEndpoint=http://azurite:10002/devstoreaccount1/;");

        Assert.Equal(new Uri("http://azurite:10002/devstoreaccount1"), account.TableEndpoint);
        Assert.True(account.UsesPathStyle);
        Assert.Equal("http://azurite:10002/devstoreaccount1/t1()", account.Resolve("t1()").AbsoluteUri);
    }

    [Theory]
    [InlineData("AccountKey=aGk=", "AccountName")]
    [InlineData("AccountName=a", "AccountKey")]
    [InlineData("AccountName=a;AccountKey=not base64!", "base64")]
    [InlineData("AccountName=a;SharedAccessSignature=sv=2020", "Shared access signatures")]
    [InlineData("AccountName=a;AccountKey=aGk=;DefaultEndpointsProtocol=ftp", "ftp")]
    [InlineData("AccountName=a;AccountKey=aGk=;TableEndpoint=not-a-url", "TableEndpoint")]
    [InlineData("garbage", "Name=Value")]
    public void Bad_connection_strings_are_refused_saying_what_is_wrong(string connectionString, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => TableAccount.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_never_shows_the_key()
    {
        var account = TableAccount.Parse("UseDevelopmentStorage=true");

        Assert.DoesNotContain(TableAccount.DevelopmentAccountKey[..10], account.ToString(), StringComparison.Ordinal);
    }
}
