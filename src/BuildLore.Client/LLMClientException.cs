using System.Net;

namespace BuildLore.Client;

/// <summary>
/// Thrown by <see cref="LLMClient"/> when a call fails: the server answered with an error status
/// (<see cref="StatusCode"/>, <see cref="ServerMessage"/> and, when one field was at fault, <see cref="Field"/>
/// and <see cref="Allowed"/>), the server could not be reached, the call timed out, or the answer was not
/// the JSON expected. <see cref="StatusCode"/> is null when no answer arrived. Cancellation by the caller is
/// not wrapped: it surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class LLMClientException : Exception
{
    public LLMClientException()
    {
    }

    public LLMClientException(string message)
        : base(message)
    {
    }

    public LLMClientException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing a failed call.</summary>
    /// <param name="message">The whole explanation: what was called, what happened and, when known, what to do.</param>
    /// <param name="statusCode">The HTTP status of the answer; null when no answer arrived.</param>
    /// <param name="serverMessage">The server's own error text.</param>
    /// <param name="field">The request field the server rejected.</param>
    /// <param name="allowed">What the server accepts in that field.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public LLMClientException(
        string message,
        HttpStatusCode? statusCode,
        string? serverMessage = null,
        string? field = null,
        string? allowed = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ServerMessage = serverMessage;
        Field = field;
        Allowed = allowed;
    }

    /// <summary>The HTTP status the server answered with; null when the server could not be reached or did not answer in time.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The server's error text (its <c>message</c>, or the raw body when that is not JSON).</summary>
    public string? ServerMessage { get; }

    /// <summary>The request field the server rejected, for example <c>confidence</c>.</summary>
    public string? Field { get; }

    /// <summary>What the server accepts in <see cref="Field"/>, for example <c>a number from 0 to 1</c>.</summary>
    public string? Allowed { get; }
}
