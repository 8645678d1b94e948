using System.Buffers;
using System.Text.Json;
using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;

namespace BuildLore.Server.Builds;

/// <summary>
/// The Server-Sent Events of <c>/log/stream</c>, encoded once as bytes so that many followers can be
/// sent the same ones: <c>log</c> (a stored piece of the log), <c>diagnostic</c> and <c>end</c>.
/// </summary>
internal static class LogEvents
{
    private static readonly JsonWriterOptions Options = new() { Encoder = ServerJson.Web.Options.Encoder };

    /// <summary>A stored piece of the log and the diagnostics the analyzer found once it had read it.</summary>
    public static byte[] Piece(string text, LogAnalyzer analyzer)
    {
        var buffer = new ArrayBufferWriter<byte>(text.Length + 64);
        Write(buffer, "log"u8, writer => writer.WriteString("text", text));
        analyzer.Append(text);
        WriteDiagnostics(buffer, analyzer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The diagnostics left once the analyzer has read the whole log, then the end event with the build's status.</summary>
    public static byte[] End(Build build, LogAnalyzer analyzer)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        analyzer.Complete(build.Status == BuildStatus.Success);
        WriteDiagnostics(buffer, analyzer);
        Write(buffer, "end"u8, writer =>
        {
            writer.WriteString("status", build.Status);
            if (build.ExitCode is { } code)
            {
                writer.WriteNumber("exit_code", code);
            }
            else
            {
                writer.WriteNull("exit_code");
            }

            writer.WriteString("category", build.Category);
            writer.WriteString("reason", build.Reason);
        });
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteDiagnostics(ArrayBufferWriter<byte> buffer, LogAnalyzer analyzer)
    {
        foreach (var d in analyzer.TakeNewDiagnostics())
        {
            Write(buffer, "diagnostic"u8, writer =>
            {
                writer.WriteString("severity", d.Severity);
                writer.WriteString("file", d.File);
                if (d.Line is { } line) writer.WriteNumber("line", line); else writer.WriteNull("line");
                if (d.Column is { } column) writer.WriteNumber("column", column); else writer.WriteNull("column");
                writer.WriteString("code", d.Code);
                writer.WriteString("message", d.Message);
                writer.WriteString("tool", d.Tool);
                writer.WriteNumber("log_line", d.LogLine);
                writer.WriteString("fingerprint", d.Fingerprint);
            });
        }
    }

    private static void Write(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> name, Action<Utf8JsonWriter> body)
    {
        buffer.Write("event: "u8);
        buffer.Write(name);
        buffer.Write("\ndata: "u8);
        // JSON has no raw newlines, so each event's data fits on one "data:" line.
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
    }
}
