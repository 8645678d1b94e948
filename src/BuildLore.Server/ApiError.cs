using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildLore.Server;

/// <summary>
/// The body of every error response: what went wrong, and when a field is at fault, which one and
/// what it accepts. <c>{"status":"error","message":"...","field":"confidence","allowed":"a number from 0 to 1"}</c>
/// </summary>
public sealed record ErrorResponse(
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Allowed = null)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "error";
}

internal static class ApiErrors
{
    public static JsonHttpResult<ErrorResponse> BadRequest(string message, string? field = null, string? allowed = null) =>
        Create(StatusCodes.Status400BadRequest, message, field, allowed);

    public static JsonHttpResult<ErrorResponse> NotFound(string message, string? field = null) =>
        Create(StatusCodes.Status404NotFound, message, field);

    public static JsonHttpResult<ErrorResponse> Create(int statusCode, string message, string? field = null, string? allowed = null) =>
        TypedResults.Json(new ErrorResponse(message, field, allowed), ServerJson.Web.ErrorResponse, statusCode: statusCode);
}
