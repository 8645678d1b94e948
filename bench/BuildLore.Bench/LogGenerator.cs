using System.Text;

namespace BuildLore.Bench;

/// <summary>
/// Writes a large, realistic build log: the ordinary output of restores, compiles and test runs, with
/// the real failing logs of the test corpus spliced in now and then (about one per 20,000 lines).
/// Deterministic for a given size.
/// </summary>
internal static class LogGenerator
{
    private static readonly string[] Noise =
    [
        "  Determining projects to restore...",
        "  Restored /home/runner/work/app/app/src/Api/Api.csproj (in 1.21 sec).",
        "  Api -> /home/runner/work/app/app/src/Api/bin/Release/net10.0/Api.dll",
        "[INFO] Compiling 42 source files to /home/runner/work/app/app/target/classes",
        "[INFO] --- maven-surefire-plugin:3.2.5:test (default-test) @ app ---",
        "npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
        "added 1283 packages, and audited 1284 packages in 41s",
        "   Compiling serde_json v1.0.128",
        "   Compiling tokio v1.40.0",
        "test tests::parses_config ... ok",
        "PASSED tests/test_api.py::test_error_handling",
        "tests/test_models.py::test_user_roundtrip PASSED                       [ 42%]",
        "  CC       src/util.o",
        "gcc -O2 -Wall -Werror=format -c src/ErrorHandler.c -o build/ErrorHandler.o",
        "ok  \texample.com/app/internal/store\t0.412s",
        "    0 Warning(s)",
        "    0 Error(s)",
        "Build succeeded.",
        "2026-11-25T10:00:00.0000000Z ##[group]Run dotnet test --no-build",
        "Downloading https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
        "  ✓ renders the header (12 ms)",
        "webpack 5.94.0 compiled successfully in 8123 ms",
        "[12:00:01] Starting 'build'...",
        "Step 7/12 : RUN dotnet publish -c Release -o /app",
        " ---> Running in 3f2a9c1b7d4e",
        "info: Microsoft.Hosting.Lifetime[14] Now listening on: http://localhost:5000",
    ];

    public static void Write(string path, long targetBytes)
    {
        var failures = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Logs"), "*.log", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToArray();
        var random = new Random(1234);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long written = 0, lines = 0;
        while (written < targetBytes)
        {
            if (failures.Length > 0 && random.Next(20_000) == 0)
            {
                var failure = failures[random.Next(failures.Length)];
                writer.Write(failure);
                written += Encoding.UTF8.GetByteCount(failure);
                continue;
            }

            var line = Noise[random.Next(Noise.Length)];
            writer.Write(line);
            writer.Write('\n');
            written += Encoding.UTF8.GetByteCount(line) + 1;
            lines++;
        }
    }
}
