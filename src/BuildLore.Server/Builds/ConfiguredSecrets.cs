using BuildLore.Core.Analysis.Redaction;
using BuildLore.Server.Hosting;

namespace BuildLore.Server.Builds;

/// <summary>The literal secrets the server is configured to mask in every log, whoever produced it.</summary>
internal static class ConfiguredSecrets
{
    /// <summary>
    /// <c>BuildLore:Redaction:Literals</c> and the values of the server environment variables named in
    /// <c>BuildLore:Redaction:EnvironmentVariables</c> (those that are set).
    /// </summary>
    public static List<string> Literals(RedactionOptions redaction)
    {
        var literals = new List<string>(redaction.Literals);
        literals.AddRange(redaction.EnvironmentVariables.Select(Environment.GetEnvironmentVariable).OfType<string>());
        return literals;
    }

    /// <summary>A redactor for these literals besides the built-in patterns; the shared default when there are none.</summary>
    public static SecretRedactor CreateRedactor(IReadOnlyCollection<string> literals) =>
        literals.Count == 0 ? SecretRedactor.Default : new SecretRedactor(literals);
}
