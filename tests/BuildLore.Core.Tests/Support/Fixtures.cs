namespace BuildLore.Core.Tests.Support;

/// <summary>Reads the real build logs under Fixtures/ (copied next to the test assembly).</summary>
internal static class Fixtures
{
    public const string DotnetError = "dotnet-error.log";
    public const string DotnetClean = "dotnet-clean.log";
    public const string DotnetWarningAndError = "dotnet-warning-and-error.log";
    public const string GccCompileError = "gcc-compile-error.log";
    public const string GccCompileErrorColor = "gcc-compile-error-color.log";
    public const string GccLinkError = "gcc-link-error.log";
    public const string PythonTraceback = "python-traceback.log";
    public const string CargoError = "cargo-error.log";

    public static IReadOnlyList<string> AllLogs { get; } =
    [
        DotnetError, DotnetClean, DotnetWarningAndError, GccCompileError, GccCompileErrorColor,
        GccLinkError, PythonTraceback, CargoError,
    ];

    public static string Read(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        Assert.True(File.Exists(path), $"Fixture {path} is missing; is Fixtures/** copied to the output folder?");
        return File.ReadAllText(path);
    }
}
