using Interconnect.Deploy.Tests.Support;

namespace Interconnect.Deploy.Tests;

/// <summary>Values are read and merged the way Helm reads and merges them.</summary>
public sealed class ValuesYamlTests
{
    [Fact]
    public void PlainScalars_AreTypedAsGoYamlTypesThem()
    {
        var values = ValuesYaml.Parse("""
            a: true
            b: "true"
            c: 200
            d: "00:00:10"
            e: 1.5
            f:
            g: yes
            h: |
              two
              lines
            i: end
            """);

        Assert.Equal(true, values["a"]);
        Assert.Equal("true", values["b"]);
        Assert.Equal(200L, values["c"]);
        Assert.Equal("00:00:10", values["d"]);
        Assert.Equal(1.5, values["e"]);
        Assert.Null(values["f"]);
        Assert.Equal(true, values["g"]);
        Assert.Equal("two\nlines\n", values["h"]);
    }

    [Fact]
    public void Coalesce_MergesMapsReplacesListsAndNullDeletes()
    {
        var defaults = ValuesYaml.Parse("""
            tls:
              https:
                enabled: true
                secretName: ""
            partners: [{ id: A }, { id: B }]
            keep: 1
            drop: 2
            """);
        var user = ValuesYaml.Parse("""
            tls:
              https:
                secretName: nl-https
            partners: [{ id: C }]
            drop: null
            """);

        var merged = ValuesYaml.Coalesce(user, defaults);

        Assert.Equal(true, ValuesYaml.At(merged, "tls.https.enabled").Value);
        Assert.Equal("nl-https", ValuesYaml.At(merged, "tls.https.secretName").Value);
        Assert.Single((List<object?>)merged["partners"]!);
        Assert.Equal(1L, merged["keep"]);
        Assert.False(merged.ContainsKey("drop"));
    }
}
