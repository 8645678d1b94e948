using System.Diagnostics;
using BuildLore.Core.Analysis.Redaction;

namespace BuildLore.Core.Tests.Analysis;

public class SecretRedactorTests
{
    // Test-only fake credentials, built from pieces so no scanner mistakes this file for a leak.
    private static readonly string AwsKeyId = "AKIA" + "IOSFODNN7EXAMPLE";
    private static readonly string AwsSessionKeyId = "ASIA" + "Y34FZKBOKMUTVV7A";
    private static readonly string AwsSecret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY";
    private static readonly string GitHubPat = "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a";
    private static readonly string GitHubInstallation = "ghs_" + "abcdefghijklmnopqrstuvwxyz0123456789AB";
    private static readonly string GitHubFineGrained = "github_pat_" + "11ABCDEFG0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJ0123456789abcdefghijklmnopq";
    private static readonly string GitLabPat = "glpat-" + "xxxxxxxxxxxxxxxxxxxx";
    private static readonly string SlackBot = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
    private static readonly string Jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0" + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    private static string Redact(string line, out int count) => SecretRedactor.Default.Redact(line, out count);

    public static TheoryData<string, string, int> SecretLines => new()
    {
        // AWS
        { $"export AWS_ACCESS_KEY_ID={AwsKeyId}", "export AWS_ACCESS_KEY_ID=***", 1 },
        { $"Using session key {AwsSessionKeyId} for upload", "Using session key *** for upload", 1 },
        { $"aws_secret_access_key = {AwsSecret}", "aws_secret_access_key = ***", 1 },
        { $"AWS_SECRET_ACCESS_KEY=\"{AwsSecret}\"", "AWS_SECRET_ACCESS_KEY=\"***\"", 1 },
        // GitHub
        { $"git clone https://{GitHubPat}@github.com/acme/app.git", "git clone https://***@github.com/acme/app.git", 1 },
        { $"Token is {GitHubInstallation}.", "Token is ***.", 1 },
        { $"GH_TOKEN: {GitHubFineGrained}", "GH_TOKEN: ***", 1 },
        // GitLab
        { $"curl --header \"PRIVATE-TOKEN: {GitLabPat}\" https://gitlab.example.com/api/v4/projects", "curl --header \"PRIVATE-TOKEN: ***\" https://gitlab.example.com/api/v4/projects", 1 },
        // Slack
        { $"SLACK_BOT={SlackBot}", "SLACK_BOT=***", 1 },
        { "Posting to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "Posting to https://hooks.slack.com/services/***", 1 },
        // JWT
        { $"id_token {Jwt} issued", "id_token *** issued", 1 },
        // Assignments: key kept, value masked.
        { "mysql -u root --password=hunter22 db", "mysql -u root --password=*** db", 1 },
        { "passwd: s3cr3t!", "passwd: ***", 1 },
        { "pwd=Tr0ub4dor&user=x", "pwd=***&user=x", 1 },
        { "client_secret=abc123def456", "client_secret=***", 1 },
        { "token=deadbeefcafe", "token=***", 1 },
        { "api_key=AIzaSyA-1234567890abcdefgh", "api_key=***", 1 },
        { "apikey: 0123456789abcdef", "apikey: ***", 1 },
        { "{\"password\": \"correct horse battery staple\", \"user\": \"bob\"}", "{\"password\": \"***\", \"user\": \"bob\"}", 1 },
        { "PASSWORD='p@ss word'", "PASSWORD='***'", 1 },
        // Connection strings
        { "Server=db;Database=app;User Id=sa;Password=Pa$$w0rd;TrustServerCertificate=true", "Server=db;Database=app;User Id=sa;Password=***;TrustServerCertificate=true", 1 },
        { "Host=pg;Username=app;Pwd=letmein;", "Host=pg;Username=app;Pwd=***;", 1 },
        // URLs with credentials
        { "Cloning into 'app'... https://deploy:Sup3rS3cret@git.example.com/app.git", "Cloning into 'app'... https://deploy:***@git.example.com/app.git", 1 },
        { "DATABASE_URL=postgres://app:p@ssw0rd@db.internal:5432/app", "DATABASE_URL=postgres://app:***@db.internal:5432/app", 1 },
        // Authorization headers
        { "> Authorization: Bearer abc.def.ghi", "> Authorization: Bearer ***", 1 },
        { "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ***", 1 },
        { $"curl -H 'Authorization: token {GitHubPat}' https://api.github.com", "curl -H 'Authorization: token ***' https://api.github.com", 1 },
        // npm and Azure
        { "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "//registry.npmjs.org/:_authToken=***", 1 },
        {
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy==;EndpointSuffix=core.windows.net",
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=***;EndpointSuffix=core.windows.net",
            1
        },
        { "GET https://acme.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig=AbCd%2BeF%3D&se=2030", "GET https://acme.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig=***&se=2030", 1 },
        // Private key header line: whole line.
        { "-----BEGIN RSA PRIVATE KEY-----", "***", 1 },
        { "key: \"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----\"", "***", 1 },
        // Several secrets on one line count separately.
        { $"AWS_ACCESS_KEY_ID={AwsKeyId} password=hunter22", "AWS_ACCESS_KEY_ID=*** password=***", 2 },
    };

    [Theory]
    [MemberData(nameof(SecretLines))]
    public void Redact_MasksSecret(string line, string expected, int expectedCount)
    {
        var redacted = Redact(line, out var count);

        Assert.Equal(expected, redacted);
        Assert.Equal(expectedCount, count);
    }

    [Theory]
    [InlineData("/work/app/Program.cs(1,19): error CS0103: The name 'undefinedVariable' does not exist in the current context")]
    [InlineData("broken.c:5:20: error: 'undeclared_count' undeclared (first use in this function)")]
    [InlineData("HEAD is now at 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 Fix the build")]
    [InlineData("commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39")]
    [InlineData("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData("password: ")]
    [InlineData("Enter password:")]
    [InlineData("token_count=5")]
    [InlineData("max_tokens=1024")]
    [InlineData("if (password == null) throw new ArgumentNullException();")]
    [InlineData("src/auth.ts(4,3): error TS2322: function login(token: string): void")]
    [InlineData("PWD=/home/runner/work/app/app")]
    [InlineData("OLDPWD=/home/runner")]
    [InlineData("Downloading https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz")]
    [InlineData("ssh://git@github.com:22/acme/app.git")]
    [InlineData("Authorization failed for user bob")]
    [InlineData("Uploaded AKIA-style ids are 20 chars")]
    [InlineData("Build succeeded. 0 Warning(s) 0 Error(s)")]
    [InlineData("  Restored /work/app/app.csproj (in 1.2 sec).")]
    public void Redact_LeavesOrdinaryLinesAlone(string line)
    {
        var redacted = Redact(line, out var count);

        Assert.Same(line, redacted);
        Assert.Equal(0, count);
    }

    [Fact]
    public void Redact_ReturnsSameInstanceWhenNothingMatches()
    {
        var line = "Compiling app v0.1.0 (/work/app)";

        Assert.Same(line, Redact(line, out _));
    }

    [Theory]
    [MemberData(nameof(SecretLines))]
    public void Redact_IsIdempotent(string line, string expected, int expectedCount)
    {
        _ = expected;
        _ = expectedCount;
        var once = Redact(line, out _);

        var twice = Redact(once, out var count);

        Assert.Equal(once, twice);
        Assert.Equal(0, count);
    }

    [Fact]
    public void Redact_OverlappingDetectionsOfOneSecretCountOnce()
    {
        // The assignment rule and the GitHub token rule both see the same value.
        var redacted = Redact($"GITHUB_TOKEN={GitHubPat}", out var count);

        Assert.Equal("GITHUB_TOKEN=***", redacted);
        Assert.Equal(1, count);
    }

    [Fact]
    public void Redact_MasksLiteralSecretsAnywhereOrdinally()
    {
        var redactor = new SecretRedactor(["Zebra-Crossing-42", "abc", "opal"]);

        var redacted = redactor.Redact("deploying with Zebra-Crossing-42 and xZebra-Crossing-42y; opal OPAL abc", out var count);

        // "abc" is shorter than the minimum and ignored; matching is case-sensitive.
        Assert.Equal("deploying with *** and x***y; *** OPAL abc", redacted);
        Assert.Equal(3, count);
    }

    [Fact]
    public void Redact_LiteralSecretInsideDetectedSecretMergesIntoOneMask()
    {
        var redactor = new SecretRedactor(["hunter22"]);

        var redacted = redactor.Redact("password=hunter22", out var count);

        Assert.Equal("password=***", redacted);
        Assert.Equal(1, count);
    }

    [Fact]
    public void Redact_LiteralSecretsAlsoApplyToLinesWithoutTriggers()
    {
        var redactor = new SecretRedactor(["internal-build-key-7"]);
        var line = "echo internal-build-key-7";

        Assert.Equal("echo ***", redactor.Redact(line, out var count));
        Assert.Equal(1, count);
    }

    [Fact]
    public void Redact_IgnoresLiteralsMadeOfMaskCharacters()
    {
        var redactor = new SecretRedactor(["****"]);
        var line = "password=****";

        Assert.Equal("password=****", redactor.Redact(line, out var count));
        Assert.Equal(0, count);
    }

    [Theory]
    [InlineData("password=")]
    [InlineData("token: ")]
    [InlineData("eyJ")]
    [InlineData("Authorization: Bearer ")]
    [InlineData("https://user:")]
    [InlineData("AKIA")]
    public void Redact_AdversarialMegabyteLineFinishesQuickly(string prefix)
    {
        var lines = new[]
        {
            prefix + new string('a', 1_000_000),
            prefix + string.Concat(Enumerable.Repeat("a.", 500_000)),
            prefix + string.Concat(Enumerable.Repeat("a:", 500_000)),
            prefix + string.Concat(Enumerable.Repeat("eyJa.", 200_000)),
        };
        _ = SecretRedactor.Default.Redact("warm up password=x eyJ", out _);

        foreach (var line in lines)
        {
            var stopwatch = Stopwatch.StartNew();
            var redacted = SecretRedactor.Default.Redact(line, out _);
            stopwatch.Stop();

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"{prefix}...: {stopwatch.Elapsed}");
            Assert.NotNull(redacted);
        }
    }

    [Theory]
    [InlineData("password=")]
    [InlineData("token: ")]
    [InlineData("Authorization: Bearer ")]
    [InlineData("https://u:")]
    [InlineData("-----BEGIN ")]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("PWD=/home/runner")]
    [InlineData("secret=\"")]
    public void Redact_MegabyteOfRepeatedTriggersStaysLinear(string piece)
    {
        // Up to ~140,000 keys in one line, so this is bounded by the number of matches (a few hundred
        // ms); the bound is loose on purpose: it catches quadratic rescanning, which takes minutes.
        var line = string.Concat(Enumerable.Repeat(piece, 1_000_000 / piece.Length));

        var stopwatch = Stopwatch.StartNew();
        var redacted = SecretRedactor.Default.Redact(line, out _);
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"{piece}...: {stopwatch.Elapsed}");
        Assert.NotNull(redacted);
    }

    [Fact]
    public void Redact_MegabytePasswordIsMasked()
    {
        var redacted = Redact("password=" + new string('a', 1_000_000), out var count);

        Assert.Equal("password=***", redacted);
        Assert.Equal(1, count);
    }

    [Fact]
    public void Redact_RejectsNull()
    {
        Assert.Throws<ArgumentNullException>(() => SecretRedactor.Default.Redact(null!, out _));
    }
}
