namespace BuildLore.Server.Hosting;

/// <summary>
/// The short <c>BUILDLORE_*</c> environment variables, mapped onto configuration keys. The long form
/// (<c>BuildLore__Runner__MaxConcurrentBuilds</c>) works too, through the standard provider.
/// </summary>
public static class EnvironmentSettings
{
    public static IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["BUILDLORE_HOST"] = "BuildLore:Host",
        ["BUILDLORE_PORT"] = "BuildLore:Port",
        ["BUILDLORE_WORKSPACE"] = "BuildLore:Workspace",
        ["BUILDLORE_DATA_DIR"] = "BuildLore:DataDir",
        ["BUILDLORE_STORE"] = "BuildLore:Store:Provider",
        ["BUILDLORE_CONNECTION_STRING"] = "BuildLore:Store:ConnectionString",
        ["BUILDLORE_MAX_CONCURRENT_BUILDS"] = "BuildLore:Runner:MaxConcurrentBuilds",
        ["BUILDLORE_BUILD_TIMEOUT"] = "BuildLore:Runner:DefaultTimeoutSeconds",
        ["BUILDLORE_TOKEN"] = "BuildLore:Auth:Tokens:" + Auth.ApiTokens.DefaultName,
    };

    public static IEnumerable<KeyValuePair<string, string?>> Read()
    {
        foreach (var (variable, key) in Variables)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value))
            {
                yield return new KeyValuePair<string, string?>(key, value);
            }
        }
    }
}
