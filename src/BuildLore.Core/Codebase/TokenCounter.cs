using Microsoft.ML.Tokenizers;

namespace BuildLore.Core.Codebase;

/// <summary>
/// Counts tokens with a real tokenizer (o200k_base, the encoding of GPT-4o and later OpenAI models),
/// so budgets are measured in what an LLM actually pays for.
/// </summary>
public static class TokenCounter
{
    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public static int Count(string text) => text.Length == 0 ? 0 : Tokenizer.Value.CountTokens(text);

    /// <summary>Estimates a whole file's tokens from its first part: the count scaled by size.</summary>
    public static long Estimate(string head, long headBytes, long totalBytes) =>
        headBytes <= 0 ? 0 : (long)Math.Round(Count(head) * ((double)totalBytes / headBytes));
}
