using Microsoft.ML.Tokenizers;

namespace BuildLore.Core.Codebase;

/// <summary>
/// Counts tokens with a real tokenizer (o200k_base, the encoding of GPT-4o and later OpenAI models),
/// so budgets are measured in what an LLM actually pays for.
/// </summary>
public static class TokenCounter
{
    public const string Encoding = "o200k_base";

    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForEncoding(Encoding));

    // One load task, however often Warm is called: a second would only hold a pool thread blocked on the first.
    private static readonly Lazy<Task> Warming = new(() => Task.Run(() => _ = Tokenizer.Value));

    /// <summary>Loads the tokenizer's vocabulary in the background, so the first count does not wait for it.</summary>
    public static void Warm() => _ = Warming.Value;

    /// <summary>True once the vocabulary is loaded: a count no longer waits for it.</summary>
    public static bool IsLoaded => Tokenizer.IsValueCreated;

    public static int Count(string text) => text.Length == 0 ? 0 : Tokenizer.Value.CountTokens(text);
}
