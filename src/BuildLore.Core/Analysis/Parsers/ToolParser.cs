namespace BuildLore.Core.Analysis.Parsers;

/// <summary>A diagnostic as a parser saw it, before paths are normalized and it is fingerprinted.</summary>
internal sealed record RawDiagnostic(
    string Severity,
    string? File,
    int? Line,
    int? Column,
    string? Code,
    string Message,
    string? Tool,
    long StartLine,
    long EndLine,
    string? Context = null)
{
    /// <summary>
    /// True for lines that only repeat that something failed (<c>make: *** Error 1</c>, <c>MSB3073</c>,
    /// <c>ld returned 1</c>); they are kept only when the log has no other error.
    /// </summary>
    public bool Secondary { get; init; }
}

/// <summary>Receives what the parsers find.</summary>
internal interface IDiagnosticSink
{
    void Emit(RawDiagnostic diagnostic);

    /// <summary>A line that points at a failure category without being a diagnostic (a segfault, a DNS error...).</summary>
    void Signal(string category, long line, string text, double weight);
}

/// <summary>
/// Reads one tool family's output. Parsers see every line in order; most react only to lines that
/// passed the analyzer's keyword pre-filter, while multi-line parsers also read the lines of a block
/// they have started.
/// </summary>
internal abstract class ToolParser
{
    /// <summary>Processes a cleaned line; returns true when the line belongs to this parser and no other should read it.</summary>
    public abstract bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink);

    /// <summary>True while the parser is inside a multi-line block and must see every line, keyword or not.</summary>
    public virtual bool InBlock => false;

    /// <summary>Ends an open block at the end of the log.</summary>
    public virtual void Flush(IDiagnosticSink sink)
    {
    }

    protected static int? ToInt(System.Text.RegularExpressions.Group group) =>
        group.Success && int.TryParse(group.ValueSpan, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    protected static string? ValueOrNull(System.Text.RegularExpressions.Group group) =>
        group.Success && group.Length > 0 ? group.Value : null;
}
