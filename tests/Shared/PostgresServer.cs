using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BuildLore.Tests;

/// <summary>
/// A real, throw-away PostgreSQL server that the tests start themselves: one per test process
/// (<see cref="Shared"/>), in a folder under /tmp, stopped and deleted when the process exits.
/// Each test asks for its own database with <see cref="CreateDatabaseAsync"/>, so tests share the
/// server but never data.
/// </summary>
/// <remarks>
/// Databases are created with the server's own <c>createdb</c> rather than through Npgsql: every
/// test project compiles tests/Shared, and not all of them reference Npgsql.
/// </remarks>
public sealed class PostgresServer
{
    private const string ServiceUser = "postgres";
    private const string FolderPrefix = "buildlore-pg-";
    // Holds the id of the test process that started the server, to recognise abandoned servers.
    private const string OwnerFile = "owner.pid";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private static readonly Lazy<PostgresServer> s_shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _binDirectory;
    private readonly string _rootDirectory;
    private readonly bool _runAsServiceUser;
    private int _stopped;

    private PostgresServer(string binDirectory, string rootDirectory, bool runAsServiceUser, int port)
    {
        _binDirectory = binDirectory;
        _rootDirectory = rootDirectory;
        _runAsServiceUser = runAsServiceUser;
        Port = port;
    }

    /// <summary>The server of this test process, started on first use. Throws when PostgreSQL is not installed.</summary>
    public static PostgresServer Shared => s_shared.Value;

    public int Port { get; }

    /// <summary>A connection string to the server's maintenance database (<c>postgres</c>).</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={ServiceUser};Database={database};Pooling=true";

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"t_{Guid.NewGuid():N}";
        // A client, not the server: it runs as the current user and connects over TCP with trust auth.
        await RunAsync(
            Path.Combine(_binDirectory, "createdb"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", ServiceUser, "-w", name],
            asServiceUser: false,
            cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (no clean shutdown needed for throw-away data) and deletes its folder.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            StopAndDelete(_binDirectory, _rootDirectory, _runAsServiceUser);
        }
    }

    private static PostgresServer Start()
    {
        var binDirectory = FindBinDirectory();
        var runAsServiceUser = IsRoot();
        RemoveAbandonedServers(binDirectory, runAsServiceUser);
        var rootDirectory = Path.Combine(TempRoot, $"{FolderPrefix}{Guid.NewGuid():N}");
        var dataDirectory = Path.Combine(rootDirectory, "data");
        var socketDirectory = Path.Combine(rootDirectory, "sock");
        var logFile = Path.Combine(rootDirectory, "server.log");
        try
        {
            CreatePrivateDirectory(rootDirectory);
            CreatePrivateDirectory(socketDirectory);
            File.WriteAllText(Path.Combine(rootDirectory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            if (runAsServiceUser)
            {
                // initdb refuses to run as root, so the server runs as postgres and must own its folder.
                RunAsync("chown", ["-R", ServiceUser, rootDirectory], asServiceUser: false, CancellationToken.None).GetAwaiter().GetResult();
            }

            StartWatchdog(binDirectory, rootDirectory, dataDirectory, runAsServiceUser);

            RunAsync(
                Path.Combine(binDirectory, "initdb"),
                ["-D", dataDirectory, "-A", "trust", "-U", ServiceUser, "--no-sync", "-E", "UTF8", "--locale=C"],
                runAsServiceUser,
                CancellationToken.None).GetAwaiter().GetResult();

            // A free port can be taken by someone else between probing and binding; try a few.
            InvalidOperationException? lastFailure = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var port = FindFreePort();
                try
                {
                    RunAsync(
                        Path.Combine(binDirectory, "pg_ctl"),
                        [
                            "-D", dataDirectory, "-l", logFile, "-w", "-t", "60",
                            "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)} -h 127.0.0.1 -k {socketDirectory} -F",
                            "start",
                        ],
                        runAsServiceUser,
                        CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (InvalidOperationException e)
                {
                    lastFailure = new InvalidOperationException($"{e.Message}{Environment.NewLine}Server log:{Environment.NewLine}{ReadQuietly(logFile)}", e);
                    continue;
                }

                var server = new PostgresServer(binDirectory, rootDirectory, runAsServiceUser, port);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                return server;
            }

            throw lastFailure!;
        }
        catch
        {
            DeleteQuietly(rootDirectory);
            throw;
        }
    }

    /// <summary>
    /// Starts a detached shell that waits for this process to end, then stops the server and deletes
    /// its folder. ProcessExit alone is not enough: vstest kills the test host about 100 ms after the
    /// last test, which is too short to stop a server and delete a cluster, and a crashed or killed
    /// test host runs no handlers at all.
    /// </summary>
    private static void StartWatchdog(string binDirectory, string rootDirectory, string dataDirectory, bool runAsServiceUser)
    {
        if (OperatingSystem.IsWindows() || FindOnPath("setsid") is not { } setsid)
        {
            return;
        }

        var start = new ProcessStartInfo
        {
            FileName = setsid,
            // Closing the inherited pipes first keeps the test runner from waiting on the watchdog's output.
            ArgumentList =
            {
                "-f", "sh", "-c",
                """
                exec </dev/null >/dev/null 2>&1
                owner=$1; root=$2; shift 2
                while kill -0 "$owner"; do sleep 0.5; done
                "$@"
                rm -rf "$root"
                """,
                "buildlore-pg-watchdog",
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                rootDirectory,
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TempRoot,
        };
        if (runAsServiceUser)
        {
            foreach (var argument in (string[])["runuser", "-u", ServiceUser, "--"])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in (string[])[Path.Combine(binDirectory, "pg_ctl"), "-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        {
            start.ArgumentList.Add(argument);
        }

        using var watchdog = Process.Start(start);
        // setsid -f returns at once; the forked shell, no longer our child, carries on alone.
        watchdog?.WaitForExit();
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);

    // Not Path.GetTempPath(): TMPDIR may point somewhere the postgres user cannot reach.
    private static string TempRoot => OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp";

    /// <summary>
    /// Stops and deletes servers whose test process is gone. The test host may be killed soon after
    /// the last test (vstest allows it about 100 ms to exit), before <see cref="Stop"/> finishes.
    /// </summary>
    private static void RemoveAbandonedServers(string binDirectory, bool runAsServiceUser)
    {
        foreach (var rootDirectory in Directory.EnumerateDirectories(TempRoot, FolderPrefix + "*"))
        {
            var owner = ReadPid(Path.Combine(rootDirectory, OwnerFile));
            if (owner is { } pid && !IsAlive(pid))
            {
                StopAndDelete(binDirectory, rootDirectory, runAsServiceUser);
            }
        }
    }

    private static void StopAndDelete(string binDirectory, string rootDirectory, bool runAsServiceUser)
    {
        var dataDirectory = Path.Combine(rootDirectory, "data");
        // The first line of postmaster.pid is the server's process id.
        var postmaster = ReadPid(Path.Combine(dataDirectory, "postmaster.pid"));
        if (postmaster is { } pid && IsServerOf(pid, dataDirectory))
        {
            try
            {
                // -W: pg_ctl's own wait polls every 100 ms; watching the process is much quicker,
                // which matters because the test host has little time left when this runs at exit.
                RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "-W", "stop"], runAsServiceUser, CancellationToken.None)
                    .GetAwaiter().GetResult();
                var deadline = DateTime.UtcNow.AddSeconds(5);
                while (IsAlive(pid) && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(5);
                }
            }
            catch (InvalidOperationException)
            {
                // Already stopping or gone; the folder is removed either way.
            }
        }

        // The owner file goes last: if the process is killed half-way, the next run still
        // recognises the leftovers as abandoned and finishes the job.
        DeleteQuietly(dataDirectory);
        DeleteQuietly(rootDirectory);
    }

    private static int? ReadPid(string file)
    {
        try
        {
            var firstLine = File.Exists(file) ? File.ReadLines(file).FirstOrDefault() : null;
            return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when <paramref name="pid"/> is a live server of that data folder, not an unrelated
    /// process that reused the id of a server that died, which pg_ctl stop would signal.
    /// </summary>
    private static bool IsServerOf(int pid, string dataDirectory)
    {
        if (!IsAlive(pid))
        {
            return false;
        }

        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline")
                .Contains(dataDirectory, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string FindBinDirectory()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        if (onPath is not null)
        {
            // /usr/local/bin may hold symlinks; the other tools (createdb) sit next to the real binary.
            var target = new FileInfo(Path.Combine(onPath, "initdb")).ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? onPath : Path.GetDirectoryName(target.FullName)!;
        }

        const string versionsRoot = "/usr/lib/postgresql";
        var installed = Directory.Exists(versionsRoot)
            ? Directory.GetDirectories(versionsRoot)
                .Select(d => (Directory: Path.Combine(d, "bin"), Version: Version.TryParse(AsVersion(Path.GetFileName(d)), out var v) ? v : null))
                .Where(x => x.Version is not null && File.Exists(Path.Combine(x.Directory, "initdb")) && File.Exists(Path.Combine(x.Directory, "pg_ctl")))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Directory)
                .FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. " +
            "The PostgreSQL store tests need a real server: install PostgreSQL 15 (e.g. `apt-get install postgresql`).");

        // Version.TryParse needs a dot: "15" is not a version but "15.0" is.
        static string AsVersion(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";
    }

    private static bool IsRoot() =>
        !OperatingSystem.IsWindows()
        && (string.Equals(Environment.UserName, "root", StringComparison.Ordinal) || Environment.IsPrivilegedProcess);

    private static int FindFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            // initdb and the server insist that nobody else can read the cluster.
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServiceUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user must be able to enter the working folder (the test's one is under /root).
            WorkingDirectory = OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp",
        };
        if (asServiceUser)
        {
            foreach (var argument in (string[])["-u", ServiceUser, "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Server messages in English whatever the machine's locale, so failures read the same everywhere.
        start.Environment["LC_MESSAGES"] = "C";

        var commandLine = string.Join(' ', [start.FileName, .. start.ArgumentList]);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start `{commandLine}`: {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"`{commandLine}` did not finish within {CommandTimeout.TotalSeconds} s.");
        }

        var output = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{commandLine}` exited with code {process.ExitCode}:{Environment.NewLine}{output}");
        }
    }

    private static string ReadQuietly(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file) : "(no log)";
        }
        catch (IOException e)
        {
            return $"(unreadable: {e.Message})";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
