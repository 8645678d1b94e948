using System.Text;
using Microsoft.ML.Tokenizers;

namespace BuildLore.Agent;

/// <summary>
/// Assembles a prompt section by section within a budget of tokens (o200k_base, the encoding of current
/// OpenAI models; other providers' tokenizers count within a few percent). Sections go in order of
/// importance: what does not fit is left out whole or item by item, and the prompt says what was left out,
/// so the model knows it is not seeing everything.
/// </summary>
internal sealed class PromptBuilder(int tokenBudget)
{
    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    // Room kept for the closing note about what was left out.
    private const int NoteReserve = 60;

    private readonly StringBuilder _text = new();
    private readonly List<string> _leftOut = [];

    /// <summary>Tokens used so far.</summary>
    public int Tokens { get; private set; }

    public static int Count(string text) => text.Length == 0 ? 0 : Tokenizer.Value.CountTokens(text);

    /// <summary>Adds <paramref name="text"/> whole if it fits; otherwise notes <paramref name="what"/> as left out.</summary>
    public bool Add(string text, string? what = null)
    {
        var tokens = Count(text);
        if (Tokens + tokens > tokenBudget - NoteReserve)
        {
            if (what is not null)
            {
                _leftOut.Add(what);
            }

            return false;
        }

        _text.Append(text);
        Tokens += tokens;
        return true;
    }

    /// <summary>
    /// Adds a heading and then as many items as fit, in order; <paramref name="shorten"/> may offer a
    /// shorter form of the first item that does not fit (e.g. the end of a long log range).
    /// </summary>
    public void AddSection(string heading, IReadOnlyList<string> items, string what, Func<string, int, string?>? shorten = null)
    {
        if (items.Count == 0 || !Add(heading, what))
        {
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (Add(items[i]))
            {
                continue;
            }

            var room = tokenBudget - NoteReserve - Tokens;
            if (shorten?.Invoke(items[i], room) is { } shorter && Add(shorter))
            {
                i++;
            }

            if (i < items.Count)
            {
                _leftOut.Add($"{items.Count - i} of {items.Count} {what}");
            }

            return;
        }
    }

    public override string ToString() => _leftOut.Count == 0
        ? _text.ToString()
        : $"{_text}\n(Left out to fit the prompt budget: {string.Join("; ", _leftOut)}.)\n";

    /// <summary>The last lines of <paramref name="text"/> that fit in about <paramref name="tokens"/> tokens, or null when not even one does.</summary>
    public static string? Tail(string text, int tokens)
    {
        var lines = text.Split('\n');
        var kept = new List<string>();
        var used = Count("(earlier lines of this range left out)\n");
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var cost = Count(lines[i] + "\n");
            if (used + cost > tokens)
            {
                break;
            }

            kept.Insert(0, lines[i]);
            used += cost;
        }

        return kept.Count == 0 ? null : "(earlier lines of this range left out)\n" + string.Join('\n', kept) + "\n";
    }
}
