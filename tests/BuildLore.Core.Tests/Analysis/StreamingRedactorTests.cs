using BuildLore.Core.Analysis.Redaction;

namespace BuildLore.Core.Tests.Analysis;

public class StreamingRedactorTests
{
    private static readonly string[] KeyBlock =
    [
        "-----BEGIN RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
        "aFDrBz9vFqU4yQ0kZ1c3qHo0ZkL4+5FfKcZLzUi2bm9OQ0Q8Zx0FjR1sX3pVJzN2",
        "",
        "Proc-Type: 4,ENCRYPTED",
        "-----END RSA PRIVATE KEY-----",
    ];

    [Fact]
    public void Redact_MasksEveryLineOfAPrivateKeyBlock()
    {
        var redactor = new StreamingRedactor();
        string[] log = ["Writing deploy key", .. KeyBlock, "Key written", "error CS0103: oops"];

        var output = log.Select(l => redactor.Redact(l, out _)).ToArray();

        Assert.Equal("Writing deploy key", output[0]);
        Assert.All(output[1..7], line => Assert.Equal("***", line));
        Assert.Equal("Key written", output[7]);
        Assert.Equal("error CS0103: oops", output[8]);
        Assert.False(redactor.InPrivateKeyBlock);
    }

    [Fact]
    public void Redact_CountsOnePerMaskedBlockLine()
    {
        var redactor = new StreamingRedactor();

        var total = KeyBlock.Sum(l =>
        {
            redactor.Redact(l, out var count);
            return count;
        });

        Assert.Equal(KeyBlock.Length, total);
    }

    [Fact]
    public void Redact_OpenSshAndPkcs8BlocksAreRecognized()
    {
        var redactor = new StreamingRedactor();

        Assert.Equal("***", redactor.Redact("-----BEGIN OPENSSH PRIVATE KEY-----"));
        Assert.True(redactor.InPrivateKeyBlock);
        Assert.Equal("***", redactor.Redact("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"));
        Assert.Equal("***", redactor.Redact("-----END OPENSSH PRIVATE KEY-----"));
        Assert.False(redactor.InPrivateKeyBlock);

        Assert.Equal("***", redactor.Redact("2024-05-01T10:00:00.0000000Z -----BEGIN PRIVATE KEY-----"));
        Assert.True(redactor.InPrivateKeyBlock);
        Assert.Equal("***", redactor.Redact("2024-05-01T10:00:00.0000000Z -----END PRIVATE KEY-----"));
        Assert.False(redactor.InPrivateKeyBlock);
    }

    [Fact]
    public void Redact_PublicKeysAndCertificatesAreNotMasked()
    {
        var redactor = new StreamingRedactor();
        string[] certificate =
        [
            "-----BEGIN CERTIFICATE-----",
            "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ",
            "-----END CERTIFICATE-----",
        ];

        foreach (var line in certificate)
        {
            Assert.Same(line, redactor.Redact(line, out var count));
            Assert.Equal(0, count);
        }
    }

    [Fact]
    public void Redact_SingleLineKeyDoesNotOpenABlock()
    {
        var redactor = new StreamingRedactor();

        Assert.Equal("***", redactor.Redact("KEY=-----BEGIN EC PRIVATE KEY-----\\nMHc...\\n-----END EC PRIVATE KEY-----"));
        Assert.False(redactor.InPrivateKeyBlock);
        Assert.Equal("next line", redactor.Redact("next line"));
    }

    [Fact]
    public void Redact_UnterminatedBlockClosesAfterTheCap()
    {
        var redactor = new StreamingRedactor();
        redactor.Redact("-----BEGIN RSA PRIVATE KEY-----");
        for (var i = 1; i < StreamingRedactor.MaxPrivateKeyBlockLines; i++)
        {
            Assert.Equal("***", redactor.Redact("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="));
        }

        Assert.False(redactor.InPrivateKeyBlock);
        Assert.Equal("plain", redactor.Redact("plain"));
    }

    [Fact]
    public void Redact_OutsideBlocksDelegatesToTheWrappedRedactor()
    {
        var redactor = new StreamingRedactor(new SecretRedactor(["Zebra-Crossing-42"]));

        Assert.Equal("password=*** and ***", redactor.Redact("password=hunter22 and Zebra-Crossing-42", out var count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void Reset_ForgetsAnOpenBlock()
    {
        var redactor = new StreamingRedactor();
        redactor.Redact("-----BEGIN DSA PRIVATE KEY-----");

        redactor.Reset();

        Assert.False(redactor.InPrivateKeyBlock);
        Assert.Equal("MIIBuwIBAAKBgQD", redactor.Redact("MIIBuwIBAAKBgQD"));
    }

    [Fact]
    public void RedactLines_GivesWhatRedactingLineByLineGives()
    {
        string[] pool =
        [
            "Compiling src/app.c", "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "password=hunter2 ./deploy.sh",
            "git clone https://deploy:s3cr3t-value@github.com/acme/app.git", "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
            "token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB used", "", "  0 Warning(s)", "PRIVATE KEY mentioned in prose",
            .. KeyBlock, "-----BEGIN OPENSSH PRIVATE KEY-----", "the literal swordfish-42 appears", "\r",
        ];
        var literal = new SecretRedactor(["swordfish-42"]);
        var random = new Random(11);
        for (var round = 0; round < 200; round++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 60)).Select(_ => pool[random.Next(pool.Length)]).ToList();
            var oneByOne = new StreamingRedactor(literal);
            var expected = new System.Text.StringBuilder();
            var expectedCount = 0;
            foreach (var line in lines)
            {
                expected.Append(oneByOne.Redact(line, out var c)).Append('\n');
                expectedCount += c;
            }

            var block = new StreamingRedactor(literal);
            var output = new System.Buffers.ArrayBufferWriter<char>();
            var count = 0;
            // In a few blocks of whole lines, as the log writer hands them over.
            for (var at = 0; at < lines.Count;)
            {
                var take = random.Next(1, lines.Count - at + 1);
                count += block.RedactLines(string.Concat(lines.Skip(at).Take(take).Select(l => l + "\n")), output);
                at += take;
            }

            Assert.Equal(expected.ToString(), new string(output.WrittenSpan));
            Assert.Equal(expectedCount, count);
            Assert.Equal(oneByOne.InPrivateKeyBlock, block.InPrivateKeyBlock);
        }
    }

    [Fact]
    public void TriggerPieces_CoverEveryTrigger()
    {
        // The search across lines looks for pieces of the triggers; a trigger without a piece would let its secrets through.
        foreach (var trigger in SecretRedactor.AllTriggers)
        {
            Assert.True(
                SecretRedactor.TriggerPieces.Any(piece => trigger.Contains(piece, StringComparison.OrdinalIgnoreCase)),
                $"no piece of '{trigger}' is searched for");
        }
    }

    [Theory]
    [InlineData("Compiling tokio v1.40.0\nexport TOKEN=abcdef1234567890abcdef\n")]
    [InlineData("PASSED tests/test_api.py::test_login\nDB_PASSWORD=hunter2hunter2\n")]
    [InlineData("tests/test_api.py broken pipe\ncurl https://bot:s3cr3tpass@example.com/x\n")]
    public void RedactLines_FindsTheSecretAfterLinesWithOnlyPiecesOfTriggers(string text)
    {
        var output = new System.Buffers.ArrayBufferWriter<char>();
        var count = new StreamingRedactor().RedactLines(text, output);

        Assert.Equal(1, count);
        Assert.Contains("***", new string(output.WrittenSpan), StringComparison.Ordinal);
        Assert.Equal(text.Split('\n')[0], new string(output.WrittenSpan).Split('\n')[0]);
    }
}
