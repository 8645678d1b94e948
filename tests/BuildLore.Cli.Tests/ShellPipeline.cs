using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildLore.Cli.Tests;

/// <summary>
/// A bash script run as a real process, with the <c>buildlore</c> command (this build's CLI, through
/// <c>dotnet</c>) on its PATH: for pipelines such as <c>make 2>&amp;1 | buildlore ingest --tee</c>.
/// </summary>
internal sealed class ShellPipeline : IDisposable
{
    private readonly Process _process;
    private readonly MemoryStream _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readOut;
    private readonly Task _readErr;
    private readonly string _bin;

    public ShellPipeline(string script, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        // A `buildlore` on PATH, so scripts read as the documentation's do.
        _bin = Path.Combine(Path.GetTempPath(), $"buildlore-bin-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_bin);
        var wrapper = Path.Combine(_bin, "buildlore");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "buildlore.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var start = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH");
        // The CI's own variables of the machine running the tests must not describe these builds.
        foreach (var name in new[] { "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "CIRCLECI", "BUILDLORE_URL", "BUILDLORE_TOKEN" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start)!;
        _readOut = _process.StandardOutput.BaseStream.CopyToAsync(_stdout);
        _readErr = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        });
    }

    public string Error
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for the script to end; its exit code, standard output (bytes as UTF-8) and standard error.</summary>
    public async Task<(int ExitCode, string Output, string Error)> WaitAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The script did not end in time. Standard error so far:\n{Error}");
        }

        await Task.WhenAll(_readOut, _readErr);
        return (_process.ExitCode, Encoding.UTF8.GetString(_stdout.ToArray()), Error);
    }

    /// <summary>A loopback port nothing listens on (for a server that is down, or starts later).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_bin, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
