namespace Interconnect.Storage.AzureTable.Tests;

public sealed class TableSharedKeyTests
{
    private static readonly byte[] DevKey = Convert.FromBase64String(TableAccount.DevelopmentAccountKey);

    [Fact]
    public void StringToSign_has_the_table_service_layout()
    {
        var text = TableSharedKey.StringToSign("POST", null, "multipart/mixed; boundary=batch_1", "Mon, 02 Mar 2026 10:00:00 GMT", "/myaccount/$batch");

        Assert.Equal("POST\n\nmultipart/mixed; boundary=batch_1\nMon, 02 Mar 2026 10:00:00 GMT\n/myaccount/$batch", text);
    }

    // Expected values computed independently with:
    //   printf '<string to sign>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key hex> -binary | base64
    [Fact]
    public void Sign_matches_an_independently_computed_hmac()
    {
        var key = Convert.FromBase64String("aW50ZXJjb25uZWN0LXRlc3Qta2V5LTAxMjM0NTY3ODk=");
        var text = TableSharedKey.StringToSign("POST", null, "multipart/mixed; boundary=batch_1", "Mon, 02 Mar 2026 10:00:00 GMT", "/myaccount/$batch");

        Assert.Equal("eZ0BE55P7EoLfa95WZ1NJiUoLJ79SP/eW1I0d9DbI8w=", TableSharedKey.Sign(key, text));
    }

    [Fact]
    public void Sign_with_the_emulator_key_matches_an_independently_computed_hmac()
    {
        var text = TableSharedKey.StringToSign("GET", null, null, "Sun, 19 Dec 2021 05:10:35 GMT", "/devstoreaccount1/devstoreaccount1/Tables");

        Assert.Equal("aSYgoOqgzKr3Tza0H6tlaN8tcG9EnLjPTLNGpTlPOhw=", TableSharedKey.Sign(DevKey, text));
    }

    // The value Azurite itself logged for this SharedKeyLite request (Azure/Azurite issue 1233).
    [Fact]
    public void Lite_signature_matches_the_value_azurite_computed()
    {
        var text = TableSharedKey.LiteStringToSign("Sun, 19 Dec 2021 05:10:35 GMT", "/devstoreaccount1/devstoreaccount1/$batch");

        Assert.Equal("IaSBX+XRjUlsftezCFRHGZ23RlWMcprH+wvez63FyF8=", TableSharedKey.Sign(DevKey, text));
    }

    [Theory]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/Tables", "/devstoreaccount1/devstoreaccount1/Tables")]
    [InlineData("https://myaccount.table.core.windows.net/Tables", "/myaccount/Tables")]
    [InlineData("https://myaccount.table.core.windows.net/mytable()?$filter=x&$top=5", "/myaccount/mytable()")]
    [InlineData("https://myaccount.table.core.windows.net/mytable?comp=acl", "/myaccount/mytable?comp=acl")]
    [InlineData("https://myaccount.table.core.windows.net/t(PartitionKey='a%21b',RowKey='head')", "/myaccount/t(PartitionKey='a%21b',RowKey='head')")]
    public void CanonicalizedResource_is_account_plus_encoded_path(string uri, string expected)
    {
        var account = uri.Contains("devstoreaccount1", StringComparison.Ordinal) ? "devstoreaccount1" : "myaccount";

        Assert.Equal(expected, TableSharedKey.CanonicalizedResource(account, new Uri(uri)));
    }
}
