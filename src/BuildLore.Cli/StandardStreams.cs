namespace BuildLore.Cli;

/// <summary>
/// The process's standard streams, for what is not console text: raw bytes passed through (a log under
/// <c>ingest --tee</c>, byte for byte) and warnings on standard error. Tests give their own.
/// </summary>
internal sealed class StandardStreams(Func<Stream> openInput, Func<Stream> openOutput, TextWriter error)
{
    private readonly Lazy<Stream> _output = new(openOutput);

    /// <summary>The real standard input, output and error of this process.</summary>
    public static StandardStreams Process() => new(Console.OpenStandardInput, Console.OpenStandardOutput, Console.Error);

    public Stream OpenInput() => openInput();

    public Stream Output => _output.Value;

    public TextWriter Error => error;
}
