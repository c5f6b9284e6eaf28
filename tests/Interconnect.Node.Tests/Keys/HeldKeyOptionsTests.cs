using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;

namespace Interconnect.Node.Tests.Keys;

/// <summary>Node:AdditionalSigningKeyFiles: checked on start like the signing key itself.</summary>
public sealed class HeldKeyOptionsTests
{
    [Fact]
    public void MissingOrUnusableHeldKeyFiles_AreEachReported_AndAUsableOneIsLoaded()
    {
        using var signing = EcdsaP256Signer.Generate();
        using var held = EcdsaP256Signer.Generate();
        var directory = Directory.CreateTempSubdirectory("interconnect-held-").FullName;
        try
        {
            var good = Path.Combine(directory, "standby.pem");
            var notAKey = Path.Combine(directory, "notes.txt");
            File.WriteAllText(good, held.ExportPrivateKeyPem());
            File.WriteAllText(notAKey, "not a key");
            var options = new NodeOptions { AdministrationId = "NL", SigningKeyPem = signing.ExportPrivateKeyPem() };
            options.AdditionalSigningKeyFiles.Add(good);
            options.AdditionalSigningKeyFiles.Add(Path.Combine(directory, "missing.pem"));
            options.AdditionalSigningKeyFiles.Add(notAKey);

            var problems = NodeOptionsValidation.Check(options);

            Assert.Equal(2, problems.Count(p => p.StartsWith("Node:AdditionalSigningKeyFiles:", StringComparison.Ordinal)));
            Assert.Contains(problems, p => p.StartsWith("Node:AdditionalSigningKeyFiles:1 ", StringComparison.Ordinal) && p.Contains("does not exist", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.StartsWith("Node:AdditionalSigningKeyFiles:2 ", StringComparison.Ordinal) && p.Contains("not an EC P-256 private key", StringComparison.Ordinal));

            options.AdditionalSigningKeyFiles.RemoveAt(2);
            options.AdditionalSigningKeyFiles.RemoveAt(1);
            Assert.Empty(NodeOptionsValidation.Check(options));
            var loaded = NodeOptionsValidation.LoadAdditionalSigners(options);
            Assert.Equal(held.KeyId, Assert.Single(loaded).KeyId);
            loaded[0].Dispose();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
