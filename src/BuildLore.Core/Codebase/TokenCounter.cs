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

    private static Task? _warming;

    /// <summary>
    /// Loads the tokenizer's vocabulary in the background, so the first count does not wait for it. Only
    /// the first call starts the load: a second task would only hold a pool thread blocked on the first.
    /// </summary>
    public static void Warm()
    {
        if (Volatile.Read(ref _warming) is null)
        {
            var load = new Task(() => _ = Tokenizer.Value);
            if (Interlocked.CompareExchange(ref _warming, load, null) is null)
            {
                load.Start(TaskScheduler.Default);
            }
        }
    }

    /// <summary>True once the vocabulary is loaded: a count no longer waits for it.</summary>
    public static bool IsLoaded => Tokenizer.IsValueCreated;

    public static int Count(string text) => text.Length == 0 ? 0 : Tokenizer.Value.CountTokens(text);
}
