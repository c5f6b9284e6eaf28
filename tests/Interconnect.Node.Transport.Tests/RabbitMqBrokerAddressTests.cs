namespace Interconnect.Node.Transport.Tests;

public sealed class RabbitMqBrokerAddressTests
{
    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5672/", "127.0.0.1", 5672, "/", false)]
    [InlineData("amqp://broker.customs.example", "broker.customs.example", 5672, "/", false)]
    [InlineData("amqps://broker.customs.example/nl", "broker.customs.example", 5671, "nl", true)]
    [InlineData("amqps://broker.customs.example:6000/nl", "broker.customs.example", 6000, "nl", true)]
    [InlineData("amqp://h/%2F", "h", 5672, "/", false)]
    [InlineData("amqp://h/customs%2Fnl", "h", 5672, "customs/nl", false)]
    public void Parse_reads_host_port_virtual_host_and_tls(string uri, string host, int port, string virtualHost, bool tls)
    {
        var address = RabbitMqBrokerAddress.Parse(uri);

        Assert.Equal((host, port, virtualHost, tls), (address.Host, address.Port, address.VirtualHost, address.UseTls));
    }

    [Fact]
    public void Parse_decodes_the_credentials_and_ToString_never_shows_them()
    {
        var address = RabbitMqBrokerAddress.Parse("amqps://nl-link:p%40ss%3Aw0rd@broker.customs.example/be");

        Assert.Equal(("nl-link", "p@ss:w0rd"), (address.UserName, address.Password));
        Assert.Equal("amqps://broker.customs.example:5671/be", address.ToString());
        Assert.DoesNotContain("w0rd", address.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://broker/nl")]
    [InlineData("amqp://broker/customs/nl")]
    [InlineData("broker:5672")]
    public void Parse_refuses_what_is_not_an_AMQP_URI_with_one_virtual_host(string? uri)
    {
        Assert.Throws<FormatException>(() => RabbitMqBrokerAddress.Parse(uri));
    }

    [Fact]
    public void The_connection_factory_reaches_the_same_broker_without_automatic_recovery()
    {
        var factory = RabbitMqBrokerAddress.Parse("amqps://u:p@h:6000/v").CreateConnectionFactory("test");

        Assert.Equal(("h", 6000, "v", "u", "p"), (factory.HostName, factory.Port, factory.VirtualHost, factory.UserName, factory.Password));
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal("h", factory.Ssl.ServerName);
        Assert.False(factory.AutomaticRecoveryEnabled);
    }
}
