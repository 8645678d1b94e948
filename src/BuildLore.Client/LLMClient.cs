using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace BuildLore.Client;

/// <summary>
/// A client of the BuildLore HTTP API for coding LLMs and scripts: read builds, their logs and the
/// codebase; submit analysis reports; run, cancel and wait for builds.
/// </summary>
/// <remarks>
/// Every failed call throws <see cref="LLMClientException"/>; cancelling through a method's token throws
/// <see cref="OperationCanceledException"/>. Instances are safe to use from several threads at once.
/// </remarks>
public sealed class LLMClient : IDisposable
{
    /// <summary>Where the client looks for the server when neither an address nor <c>BUILDLORE_URL</c> says otherwise.</summary>
    public const string DefaultBackendUrl = "http://127.0.0.1:8000";

    internal const string BackendUrlVariable = "BUILDLORE_URL";

    internal const string TokenVariable = "BUILDLORE_TOKEN";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    // Enough for any message the server writes; a proxy's HTML error page is cut here.
    private const int MaxServerMessageChars = 2000;

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly AuthenticationHeaderValue? _authorization;
    private bool _disposed;

    /// <summary>
    /// Creates a client on an <see cref="HttpClient"/> that the caller owns, as
    /// <c>services.AddHttpClient&lt;LLMClient&gt;()</c> does. The client is not disposed with this instance.
    /// </summary>
    /// <param name="httpClient">
    /// The HTTP client to send requests with. Its <see cref="HttpClient.BaseAddress"/> is the server's address
    /// (<see cref="DefaultBackendUrl"/> when it is null) and its <see cref="HttpClient.Timeout"/> bounds each call.
    /// </param>
    /// <param name="sessionId">A session to send as <c>session_id</c> with every request; null or blank for none.</param>
    /// <param name="token">The server's API token, sent as <c>Authorization: Bearer</c> with every request; null or blank for none.</param>
    public LLMClient(HttpClient httpClient, string? sessionId = null, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        BaseAddress = WithTrailingSlash(httpClient.BaseAddress ?? new Uri(DefaultBackendUrl));
        SessionId = string.IsNullOrWhiteSpace(sessionId) ? null : sessionId;
        _authorization = Bearer(token);
    }

    /// <summary>Creates a client with its own <see cref="HttpClient"/>, for scripts and tools.</summary>
    /// <param name="backendUrl">
    /// The server's address, such as <c>http://build-host:8000</c>. When null, the <c>BUILDLORE_URL</c> environment
    /// variable is used if set, otherwise <see cref="DefaultBackendUrl"/>.
    /// </param>
    /// <param name="sessionId">A session to send as <c>session_id</c> with every request; null or blank for none.</param>
    /// <param name="timeout">How long one call may take; 30 seconds by default, <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="token">
    /// The server's API token, sent as <c>Authorization: Bearer</c> with every request. When null, the
    /// <c>BUILDLORE_TOKEN</c> environment variable is used if set; blank for none.
    /// </param>
    /// <exception cref="ArgumentException">The address is not an absolute http or https URL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is zero or negative.</exception>
    public LLMClient(string? backendUrl = null, string? sessionId = null, TimeSpan? timeout = null, string? token = null)
    {
        BaseAddress = ResolveBackendUrl(backendUrl);
        var limit = timeout ?? DefaultTimeout;
        if (limit <= TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), limit, "The timeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }

        SessionId = string.IsNullOrWhiteSpace(sessionId) ? null : sessionId;
        _authorization = Bearer(token ?? Environment.GetEnvironmentVariable(TokenVariable));
        _http = new HttpClient { Timeout = limit };
        _ownsHttpClient = true;
    }

    /// <summary>The server's address; request paths are resolved against it.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The session sent as <c>session_id</c> with every request, or null.</summary>
    public string? SessionId { get; }

    /// <summary>True when an API token is sent with every request (the token itself is not exposed).</summary>
    public bool HasToken => _authorization is not null;

    /// <summary>Lists builds, newest first (<c>GET /llm/learning/builds</c>).</summary>
    /// <param name="limit">How many builds to return; the server accepts 1 to 200.</param>
    /// <param name="skip">How many of the newest builds to skip, to page on.</param>
    /// <param name="log">How much of each build's log to include; the end of it by default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<BuildPage> GetBuildsAsync(int limit = 20, int skip = 0, LogDetail log = LogDetail.Tail, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        return GetBuildsAsync(new BuildQuery { Limit = limit, Skip = skip, Log = log }, cancellationToken);
    }

    /// <summary>Lists builds of a project, branch or status, newest first (<c>GET /llm/learning/builds</c>); <see cref="BuildPage.Total"/> counts the matching ones.</summary>
    /// <param name="query">The page and the filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 400 and <see cref="LLMClientException.Field"/> <c>status</c> for a status that is not one of <see cref="BuildStatuses"/>.</exception>
    public Task<BuildPage> GetBuildsAsync(BuildQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip, nameof(query));
        var parameters = new List<(string, string)>
        {
            ("limit", query.Limit.ToString(CultureInfo.InvariantCulture)),
            ("skip", query.Skip.ToString(CultureInfo.InvariantCulture)),
            ("log", ToQueryValue(query.Log)),
        };
        if (query.Project is { } project) parameters.Add(("project", project));
        if (query.Branch is { } branch) parameters.Add(("branch", branch));
        if (query.Status is { } status) parameters.Add(("status", status));
        return SendAsync(HttpMethod.Get, CreateUri("llm/learning/builds", [.. parameters]), null, ClientJson.Default.BuildPage, cancellationToken);
    }

    /// <summary>Gets one build with its log, the errors and warnings found in it, and its reports (<c>GET /llm/learning/build/{id}</c>).</summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="log">How much of the log to include; all of it by default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 404 when no build has that id.</exception>
    public async Task<BuildDetail> GetBuildAsync(string buildId, LogDetail log = LogDetail.Full, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var uri = CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}", ("log", ToQueryValue(log)));
        var response = await SendAsync(HttpMethod.Get, uri, null, ClientJson.Default.BuildDetailResponse, cancellationToken).ConfigureAwait(false);
        return response.Build ?? throw MissingMember(HttpMethod.Get, uri, "build");
    }

    /// <summary>Gets the workspace's file tree, key configuration files and source previews (<c>GET /llm/learning/codebase</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<Codebase> GetCodebaseAsync(CancellationToken cancellationToken = default) =>
        GetCodebaseAsync(null, cancellationToken);

    /// <summary>
    /// Gets the workspace's view (<c>GET /llm/learning/codebase</c>) narrowed by globs, cut to a tree depth
    /// or fitted to a token budget.
    /// </summary>
    /// <param name="options">Include and exclude globs, <c>max_tokens</c> and <c>depth</c>; null for the whole view.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 400 and <see cref="LLMClientException.Field"/> set when a glob or number is refused.</exception>
    public async Task<Codebase> GetCodebaseAsync(CodebaseOptions? options, CancellationToken cancellationToken = default)
    {
        var query = new List<(string Name, string Value)>();
        if (options is not null)
        {
            query.AddRange(options.Include.Select(g => ("include", g)));
            query.AddRange(options.Exclude.Select(g => ("exclude", g)));
            if (options.MaxTokens is { } maxTokens)
            {
                query.Add(("max_tokens", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            if (options.Depth is { } depth)
            {
                query.Add(("depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        var uri = CreateUri("llm/learning/codebase", [.. query]);
        var response = await SendAsync(HttpMethod.Get, uri, null, ClientJson.Default.CodebaseResponse, cancellationToken).ConfigureAwait(false);
        return response.Codebase ?? throw MissingMember(HttpMethod.Get, uri, "codebase");
    }

    /// <summary>Submits an analysis report about a build (<c>POST /llm/learning/report</c>) and returns the stored report's id.</summary>
    /// <param name="buildId">The build the report is about; it must exist.</param>
    /// <param name="type">One of <see cref="ReportTypes"/>.</param>
    /// <param name="analysis">The findings, in prose.</param>
    /// <param name="recommendations">What to do about them, one action per entry.</param>
    /// <param name="confidence">How sure the author is, from 0 to 1.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">
    /// With status 400 and <see cref="LLMClientException.Field"/> set when a field is invalid; with 404 when the build does not exist.
    /// </exception>
    public async Task<long> SubmitReportAsync(
        string buildId,
        string type,
        string analysis,
        IEnumerable<string> recommendations,
        double confidence,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommendations);
        var report = new ReportSubmission
        {
            BuildId = buildId,
            Type = type,
            Analysis = analysis,
            Recommendations = [.. recommendations],
            Confidence = confidence,
        };
        var result = await SubmitReportAsync(report, cancellationToken).ConfigureAwait(false);
        return result.ReportId;
    }

    /// <summary>
    /// Submits an analysis report (<c>POST /llm/learning/report</c>): about a build, or, for the project-level types
    /// (<see cref="ReportTypes.DependencyAudit"/>, ...), about a project when <see cref="ReportSubmission.BuildId"/> is null.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A failure analysis without a build id.</exception>
    /// <exception cref="LLMClientException">
    /// With status 400 and <see cref="LLMClientException.Field"/> set when a field is invalid; with 404 when the build does not exist.
    /// </exception>
    public Task<ReportResult> SubmitReportAsync(ReportSubmission report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Type == ReportTypes.FailureAnalysis)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(report.BuildId, $"{nameof(report)}.{nameof(report.BuildId)}");
        }

        ArgumentNullException.ThrowIfNull(report.Type);
        ArgumentNullException.ThrowIfNull(report.Analysis);
        if (!double.IsFinite(report.Confidence))
        {
            // JSON has no NaN or infinity, so this could not even be sent.
            throw new ArgumentOutOfRangeException(nameof(report), report.Confidence, "The confidence must be a number from 0 to 1.");
        }

        var uri = CreateUri("llm/learning/report");
        return SendAsync(HttpMethod.Post, uri, JsonBody(report, ClientJson.Default.ReportSubmission), ClientJson.Default.ReportResult, cancellationToken, report.IdempotencyKey);
    }

    /// <summary>Lists reports, newest first, filtered (<c>GET /llm/learning/reports</c>).</summary>
    /// <param name="query">Filters and paging; null for the 20 newest reports.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ReportPage> GetReportsAsync(ReportQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ReportQuery();
        var parameters = new List<(string, string)>
        {
            ("skip", query.Skip.ToString(CultureInfo.InvariantCulture)),
            ("limit", query.Limit.ToString(CultureInfo.InvariantCulture)),
        };
        if (query.Type is { } type) parameters.Add(("type", type));
        if (query.BuildId is { } buildId) parameters.Add(("build_id", buildId));
        if (query.Project is { } project) parameters.Add(("project", project));
        if (query.MinConfidence is { } confidence) parameters.Add(("min_confidence", confidence.ToString("R", CultureInfo.InvariantCulture)));
        if (query.Since is { } since) parameters.Add(("since", since.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)));
        return SendAsync(HttpMethod.Get, CreateUri("llm/learning/reports", [.. parameters]), null, ClientJson.Default.ReportPage, cancellationToken);
    }

    /// <summary>Gets one report (<c>GET /llm/learning/report/{id}</c>).</summary>
    /// <param name="reportId">The report's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 404 when no report has that id.</exception>
    public async Task<ReportInfo> GetReportAsync(long reportId, CancellationToken cancellationToken = default)
    {
        var uri = CreateUri($"llm/learning/report/{reportId.ToString(CultureInfo.InvariantCulture)}");
        var response = await SendAsync(HttpMethod.Get, uri, null, ClientJson.Default.ReportResponse, cancellationToken).ConfigureAwait(false);
        return response.Report ?? throw MissingMember(HttpMethod.Get, uri, "report");
    }

    /// <summary>
    /// Lists failed builds that have no failure analysis and that no agent has claimed, newest first
    /// (<c>GET /llm/learning/unanalyzed</c>): what is left for an agent to do.
    /// </summary>
    /// <param name="limit">How many builds to return; the server accepts 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<BuildPage> GetUnanalyzedBuildsAsync(int limit = 200, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var uri = CreateUri("llm/learning/unanalyzed", ("limit", limit.ToString(CultureInfo.InvariantCulture)));
        return SendAsync(HttpMethod.Get, uri, null, ClientJson.Default.BuildPage, cancellationToken);
    }

    /// <summary>
    /// Compares a build with the last green build of its project and branch (<c>GET /llm/learning/build/{id}/compare</c>):
    /// new and resolved diagnostics, the commit range and the files changed in it.
    /// </summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<BuildComparison> CompareWithLastGreenAsync(string buildId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var uri = CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}/compare");
        return SendAsync(HttpMethod.Get, uri, null, ClientJson.Default.BuildComparison, cancellationToken);
    }

    /// <summary>Reads a file of the workspace, or lines <paramref name="startLine"/>..<paramref name="endLine"/> of it (<c>GET /llm/learning/codebase/file</c>).</summary>
    /// <param name="path">The path relative to the workspace root.</param>
    /// <param name="startLine">The first line (1-based); null for the start.</param>
    /// <param name="endLine">The last line; null for the end.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 403 when the path is outside the workspace, hidden or missing.</exception>
    public Task<CodebaseFile> GetCodebaseFileAsync(string path, int? startLine = null, int? endLine = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var parameters = new List<(string, string)> { ("path", path) };
        if (startLine is { } start) parameters.Add(("start", start.ToString(CultureInfo.InvariantCulture)));
        if (endLine is { } end) parameters.Add(("end", end.ToString(CultureInfo.InvariantCulture)));
        return SendAsync(HttpMethod.Get, CreateUri("llm/learning/codebase/file", [.. parameters]), null, ClientJson.Default.CodebaseFile, cancellationToken);
    }

    /// <summary>Gets a project's build health over the last days (<c>GET /llm/learning/health</c>): rates, durations and their trend, failure categories.</summary>
    /// <param name="project">The project; null for every project.</param>
    /// <param name="days">The window, 1 to 3650 days.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ProjectHealth> GetProjectHealthAsync(string? project = null, int days = 30, CancellationToken cancellationToken = default)
    {
        var parameters = new List<(string, string)> { ("days", days.ToString(CultureInfo.InvariantCulture)) };
        if (project is not null) parameters.Add(("project", project));
        return SendAsync(HttpMethod.Get, CreateUri("llm/learning/health", [.. parameters]), null, ClientJson.Default.ProjectHealth, cancellationToken);
    }

    /// <summary>
    /// What earlier reports said about failures with these fingerprints, and how their advice turned out
    /// (<c>GET /llm/learning/knowledge</c>): the learning a new failure starts from.
    /// </summary>
    /// <param name="fingerprints">Fingerprints of diagnostics (a build detail's <see cref="BuildDetail.Fingerprints"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<Knowledge> GetKnowledgeAsync(IEnumerable<string> fingerprints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var parameters = fingerprints.Select(f => ("fingerprint", f)).ToArray();
        if (parameters.Length == 0)
        {
            throw new ArgumentException("At least one fingerprint is needed.", nameof(fingerprints));
        }

        return SendAsync(HttpMethod.Get, CreateUri("llm/learning/knowledge", parameters), null, ClientJson.Default.Knowledge, cancellationToken);
    }

    /// <summary>
    /// Follows builds as they finish (<c>GET /llm/learning/events</c>, Server-Sent Events): a <c>ready</c> event once
    /// the stream is open, then a <c>build_finished</c> event per build finishing after that. The sequence ends when
    /// the server closes the stream. The server sends a ping at least every 15 seconds, so a stream silent for
    /// <paramref name="idleTimeout"/> is taken as dead.
    /// </summary>
    /// <param name="idleTimeout">How long the stream may stay silent; one minute by default.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <exception cref="LLMClientException">With no status when the connection fails or the stream goes silent; with 404 from a server without events.</exception>
    public async IAsyncEnumerable<BuildEvent> FollowBuildEventsAsync(TimeSpan? idleTimeout = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var uri = CreateUri("llm/learning/events");
        var silence = idleTimeout ?? TimeSpan.FromMinutes(1);
        using var response = await SendCoreAsync(HttpMethod.Get, uri, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead, "text/event-stream").ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        string? name = null;
        while (true)
        {
            string? line;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(silence);
                try
                {
                    line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new LLMClientException($"{Describe(HttpMethod.Get, uri)} sent nothing for {silence.TotalSeconds:0} s; the stream is taken as dead.", statusCode: null, innerException: e);
                }
                catch (IOException e)
                {
                    throw new LLMClientException($"{Describe(HttpMethod.Get, uri)} broke off: {e.Message}", statusCode: null, innerException: e);
                }
            }

            if (line is null)
            {
                yield break;
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                var build = name == "build_finished" ? JsonSerializer.Deserialize(line["data: ".Length..], ClientJson.Default.FinishedBuild) : null;
                yield return new BuildEvent { Name = name, Build = build };
                name = null;
            }
        }
    }

    /// <summary>
    /// Queues a build of the workspace (<c>POST /build/run</c>) and returns at once; follow it with
    /// <see cref="WaitForBuildAsync"/>. What runs is decided by the server's configuration, never by the request.
    /// </summary>
    /// <param name="profile">A build profile configured on the server; null for its default.</param>
    /// <param name="cancellationToken">Cancels the call (not the build: see <see cref="CancelBuildAsync"/>).</param>
    /// <exception cref="LLMClientException">With status 400 when the profile is unknown (<see cref="LLMClientException.Allowed"/> lists the profiles).</exception>
    public Task<RunBuildResult> RunBuildAsync(string? profile = null, CancellationToken cancellationToken = default)
    {
        var uri = CreateUri("build/run");
        var body = JsonBody(new RunBuildRequest { Profile = profile }, ClientJson.Default.RunBuildRequest);
        return SendAsync(HttpMethod.Post, uri, body, ClientJson.Default.RunBuildResult, cancellationToken);
    }

    /// <summary>Stops a queued or running build (<c>POST /build/{id}/cancel</c>); its status becomes <c>cancelled</c>.</summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 404 when no build has that id; with 409 when it has already finished.</exception>
    public async Task CancelBuildAsync(string buildId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var uri = CreateUri($"build/{Uri.EscapeDataString(buildId)}/cancel");
        using var response = await SendCoreAsync(HttpMethod.Post, uri, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Polls a build until it has finished (<see cref="BuildStatuses.IsFinished(string)"/>), then returns it with
    /// its whole log. There is no overall limit: pass a token that cancels after as long as you will wait.
    /// </summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="pollInterval">How long to wait between polls; one second by default.</param>
    /// <param name="cancellationToken">Stops waiting (the build goes on: see <see cref="CancelBuildAsync"/>).</param>
    public async Task<BuildDetail> WaitForBuildAsync(string buildId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));

        // Polls leave the log out: a running build's log can be large and is only wanted once it is final.
        while (true)
        {
            var build = await GetBuildAsync(buildId, LogDetail.None, cancellationToken).ConfigureAwait(false);
            if (BuildStatuses.IsFinished(build.Status))
            {
                break;
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }

        return await GetBuildAsync(buildId, LogDetail.Full, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a build pushed by a CI job (<c>POST /llm/learning/builds</c>); its status is <c>running</c>.</summary>
    /// <param name="build">What to record about it; null for nothing but the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IngestResult> CreateBuildAsync(BuildCreation? build = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CreateUri("llm/learning/builds"), JsonBody(build ?? new BuildCreation(), ClientJson.Default.BuildCreation),
            ClientJson.Default.IngestResult, cancellationToken);

    /// <summary>
    /// Appends chunk number <paramref name="sequence"/> (1, 2, 3...) of a pushed build's log. Sending a
    /// chunk again after a failure is safe: the server stores each number once.
    /// </summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="sequence">The chunk's number, 1 for the first.</param>
    /// <param name="text">The chunk; whole lines are best (secrets are redacted line by line).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 409 when chunks are missing before this one (its <see cref="LLMClientException.Allowed"/> is the number expected) or the build has finished.</exception>
    public Task<AppendLogResult> AppendLogAsync(string buildId, long sequence, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        var uri = CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}/log", ("seq", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return SendAsync(HttpMethod.Post, uri, content, ClientJson.Default.AppendLogResult, cancellationToken);
    }

    /// <summary>Ends a pushed build with its status (<c>success</c>, <c>failed</c>, <c>error</c>, <c>cancelled</c>, <c>timeout</c>); the server analyzes its log then.</summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="status">The final status.</param>
    /// <param name="exitCode">The build command's exit code, when known.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IngestResult> FinishBuildAsync(string buildId, string status, int? exitCode = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var uri = CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}/finish");
        return SendAsync(HttpMethod.Post, uri, JsonBody(new FinishRequest { Status = status, ExitCode = exitCode }, ClientJson.Default.FinishRequest),
            ClientJson.Default.IngestResult, cancellationToken);
    }

    /// <summary>
    /// Follows a build live (<c>GET /llm/learning/build/{id}/log/stream</c>, Server-Sent Events): its log
    /// as it grows (the backlog first), diagnostics as they are found, and an <c>end</c> event with the
    /// final status, after which the sequence ends.
    /// </summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="cancellationToken">Stops following.</param>
    public async IAsyncEnumerable<LogStreamEvent> StreamLogAsync(string buildId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var uri = CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}/log/stream");
        using var response = await SendCoreAsync(HttpMethod.Get, uri, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead, "text/event-stream").ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        string? name = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                var data = JsonSerializer.Deserialize(line["data: ".Length..], ClientJson.Default.LogStreamData) ?? new LogStreamData();
                yield return new LogStreamEvent(name, data);
                if (name == "end")
                {
                    yield break;
                }

                name = null;
            }
        }
    }

    /// <summary>
    /// Claims the right to analyze a build for a while (<c>POST /llm/learning/build/{id}/claim</c>), so that
    /// agents running side by side report on each build once. False when it is already analyzed or claimed.
    /// </summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="agent">A name unique to the calling agent process.</param>
    /// <param name="ttl">How long the claim holds; five minutes by default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> ClaimAnalysisAsync(string buildId, string agent, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        ArgumentException.ThrowIfNullOrWhiteSpace(agent);
        var uri = CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}/claim");
        var seconds = (int)(ttl ?? TimeSpan.FromMinutes(5)).TotalSeconds;
        var body = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object> { ["agent"] = agent, ["ttl_seconds"] = seconds }, ClientJson.Default.DictionaryStringObject)));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await SendCoreAsync(HttpMethod.Post, uri, body, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (LLMClientException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Attaches a test report (JUnit XML or TRX, as a runner wrote it) to a build (<c>POST /llm/learning/build/{id}/tests</c>).</summary>
    /// <param name="buildId">The build's id.</param>
    /// <param name="report">The report's bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LLMClientException">With status 400 when the report is neither JUnit nor TRX.</exception>
    public async Task UploadTestResultsAsync(string buildId, byte[] report, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildId);
        var content = new ByteArrayContent(report);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var response = await SendCoreAsync(HttpMethod.Post, CreateUri($"llm/learning/build/{Uri.EscapeDataString(buildId)}/tests"), content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks whether the server is up and ready (<c>GET /health</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<HealthInfo> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, CreateUri("health"), null, ClientJson.Default.HealthInfo, cancellationToken);

    /// <summary>Disposes the <see cref="HttpClient"/> if this instance created it; an injected one is left to its owner.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, Uri uri, HttpContent? content, JsonTypeInfo<T> responseType, CancellationToken cancellationToken, string? idempotencyKey = null)
        where T : class
    {
        using var response = await SendCoreAsync(method, uri, content, cancellationToken, idempotencyKey: idempotencyKey).ConfigureAwait(false);
        try
        {
            // The body is already buffered (HttpCompletionOption.ResponseContentRead), so this reads memory.
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("The body is the JSON literal null.");
        }
        catch (JsonException e)
        {
            throw new LLMClientException(
                $"{Describe(method, uri)} answered {(int)response.StatusCode} with a body that is not the JSON expected: {e.Message} " +
                $"Is {BaseAddress} a BuildLore server?",
                response.StatusCode,
                innerException: e);
        }
    }

    /// <summary>Sends a request and returns a successful response; every failure becomes an <see cref="LLMClientException"/>.</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, string accept = "application/json", string? idempotencyKey = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's token, so HttpClient.Timeout (or a handler's timeout) gave up.
            throw new LLMClientException(TimedOutMessage(method, uri), statusCode: null, innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new LLMClientException(TransportFailureMessage(method, uri, e), statusCode: null, innerException: e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await CreateErrorAsync(method, uri, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<LLMClientException> CreateErrorAsync(HttpMethod method, Uri uri, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var error = ParseErrorBody(body);
        var serverMessage = error?.Message ?? error?.Detail ?? error?.Title;
        if (serverMessage is null && error is null && !string.IsNullOrWhiteSpace(body))
        {
            var text = body.Trim();
            serverMessage = text.Length <= MaxServerMessageChars ? text : string.Concat(text.AsSpan(0, MaxServerMessageChars), "...");
        }

        var status = (int)response.StatusCode;
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{Describe(method, uri)} failed with {status} {response.ReasonPhrase ?? response.StatusCode.ToString()}");
        message.Append(serverMessage is null ? "." : $": {serverMessage}");
        if (error?.Field is { } field)
        {
            message.Append($" (field '{field}'");
            if (error.Allowed is { } allowed)
            {
                message.Append($"; allowed: {allowed}");
            }

            message.Append(')');
        }

        return new LLMClientException(message.ToString(), response.StatusCode, serverMessage, error?.Field, error?.Allowed);
    }

    /// <summary>Reads a JSON error body; null when the body is not a JSON object (a proxy's HTML page, plain text, nothing).</summary>
    private static ErrorBody? ParseErrorBody(string body)
    {
        if (!body.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, ClientJson.Default.ErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string TimedOutMessage(HttpMethod method, Uri uri)
    {
        var after = _http.Timeout == Timeout.InfiniteTimeSpan
            ? ""
            : string.Create(CultureInfo.InvariantCulture, $" after {_http.Timeout.TotalSeconds:0.###} s");
        return $"{Describe(method, uri)} timed out{after} waiting for the BuildLore server at {BaseAddress}. " +
            "Allow more time (LLMClient's timeout argument, or HttpClient.Timeout) or ask for less (a smaller limit, LogDetail.Tail or LogDetail.None).";
    }

    private string TransportFailureMessage(HttpMethod method, Uri uri, HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            ? $"The BuildLore server at {BaseAddress} is not reachable ({e.Message}). Start it with `buildlore serve`, " +
              $"or point the client at the right address (the backendUrl argument or the {BackendUrlVariable} environment variable)."
            : $"{Describe(method, uri)} to the BuildLore server at {BaseAddress} failed: {e.Message}";

    private LLMClientException MissingMember(HttpMethod method, Uri uri, string member) =>
        new($"{Describe(method, uri)} answered without a '{member}' object. Is {BaseAddress} a BuildLore server of a compatible version?");

    // The path only: the query may carry the session id, which does not belong in logs.
    private static string Describe(HttpMethod method, Uri uri) => $"{method.Method} {uri.AbsolutePath}";

    private Uri CreateUri(string relativePath, params ReadOnlySpan<(string Name, string Value)> query)
    {
        var builder = new StringBuilder(relativePath);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        if (SessionId is not null)
        {
            builder.Append(separator).Append("session_id=").Append(Uri.EscapeDataString(SessionId));
        }

        return new Uri(BaseAddress, builder.ToString());
    }

    private static string ToQueryValue(LogDetail log) => log switch
    {
        LogDetail.Tail => "tail",
        LogDetail.Full => "full",
        LogDetail.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(log), log, "Use LogDetail.Tail, LogDetail.Full or LogDetail.None."),
    };

    private static ByteArrayContent JsonBody<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        // Serialized up front so the request has a Content-Length rather than a chunked body.
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static AuthenticationHeaderValue? Bearer(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        // A header value cannot hold line breaks; refusing here is clearer than HttpClient's error at the first call.
        if (token.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The API token must be one line.", nameof(token));
        }

        return new AuthenticationHeaderValue("Bearer", token.Trim());
    }

    private static Uri ResolveBackendUrl(string? backendUrl)
    {
        var fromEnvironment = backendUrl is null ? Environment.GetEnvironmentVariable(BackendUrlVariable) : null;
        var url = (backendUrl ?? (string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultBackendUrl : fromEnvironment)).Trim();

        // "localhost:8000" is a common way to write an address; it means http.
        var candidate = url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url;
        if (Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return WithTrailingSlash(uri);
        }

        var source = backendUrl is null ? $" (from the {BackendUrlVariable} environment variable)" : "";
        throw new ArgumentException($"'{url}'{source} is not an http or https URL; use an address such as {DefaultBackendUrl}.", nameof(backendUrl));
    }

    // Without the slash, resolving "llm/learning/builds" against http://host/prefix would drop "prefix".
    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;
}
