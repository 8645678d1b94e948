namespace BuildLore.Core.Analysis.Matchers;

/// <summary>A problem a <see cref="ProblemMatcher"/> found in a log.</summary>
/// <param name="Owner">The owner of the matcher that found it.</param>
/// <param name="Severity"><c>error</c>, <c>warning</c> or <c>notice</c>.</param>
/// <param name="File">The file as captured, joined to the directory of the captured <c>fromPath</c>
/// when the file is relative; null when none was captured.</param>
/// <param name="Line">The line number, when captured and a plain non-negative integer.</param>
/// <param name="Column">The column number, when captured and a plain non-negative integer.</param>
/// <param name="Code">The code (trimmed), when captured.</param>
/// <param name="Message">The message.</param>
/// <param name="StartLogLine">The log line where the matcher's first pattern matched.</param>
/// <param name="EndLogLine">The log line that completed the problem (its last pattern's line).</param>
public sealed record MatchedProblem(
    string Owner,
    string Severity,
    string? File,
    int? Line,
    int? Column,
    string? Code,
    string Message,
    long StartLogLine,
    long EndLogLine);
