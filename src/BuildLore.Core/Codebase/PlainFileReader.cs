using System.Runtime.InteropServices;

namespace BuildLore.Core.Codebase;

/// <summary>
/// Reads the beginning of a workspace file with the few system calls <c>head</c> makes, for the scan
/// that opens every file of a 50,000-file repository. <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
/// costs an fstat and an advisory flock (two calls) per file, and the scan had to lstat each file first
/// to find links and FIFOs (whose open would block). Here one <c>open(2)</c> with <c>O_NOFOLLOW</c>
/// (a link fails with ELOOP) and <c>O_NONBLOCK</c> (a FIFO opens at once), <c>lseek</c> for the size,
/// <c>pread</c> and <c>close</c> do it all: one path lookup instead of two.
/// Only on Linux, whose flag values are known here for every architecture .NET runs on; elsewhere, and
/// for anything unusual (a link, a folder, a permission error), <see cref="TryOpen"/> says so and the
/// caller takes the general path.
/// </summary>
internal static class PlainFileReader
{
    private const int ReadOnly = 0;
    private const int SeekEnd = 2;
    private const int NoSuchFile = 2;    // ENOENT
    private const int NotADirectory = 20; // ENOTDIR: a folder on the way is now a file
    private const int IsADirectory = 21; // EISDIR
    private const int NotSeekable = 29;  // ESPIPE: a FIFO or socket

    // O_NONBLOCK and O_CLOEXEC are the same on every Linux architecture; O_NOFOLLOW is not.
    private static readonly int OpenFlags = ReadOnly | 0x800 /* O_NONBLOCK */ | 0x80000 /* O_CLOEXEC */ | NoFollow();

    /// <summary>True on 64-bit Linux (off_t is 64 bits there) once libc answered a harmless call.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess && NoFollow() != 0 && LibcAnswers();

    private static bool LibcAnswers()
    {
        try
        {
            return lseek(-1, 0, SeekEnd) == -1; // EBADF, and nothing else happens
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static int NoFollow() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 or Architecture.S390x or Architecture.LoongArch64 or Architecture.RiscV64 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        Architecture.Ppc64le => 0x8000,
        _ => 0,
    };

    /// <summary>What <see cref="TryOpen"/> found at the path.</summary>
    internal enum Outcome
    {
        /// <summary>A file opened for reading; <c>length</c> is its size (0 for a FIFO, socket or device, which are never read).</summary>
        Opened,

        /// <summary>Nothing there any more (git lists deleted files), or a folder: not a file to show.</summary>
        NotAFile,

        /// <summary>A link, an error or an unsupported system: ask the general path.</summary>
        Undecided,
    }

    /// <summary>Opens <paramref name="path"/> unless it is a link; the descriptor must be closed with <see cref="Close"/>.</summary>
    public static Outcome TryOpen(string path, out int descriptor, out long length)
    {
        length = 0;
        descriptor = -1;
        if (!IsSupported)
        {
            return Outcome.Undecided;
        }

        descriptor = open(path, OpenFlags);
        if (descriptor < 0)
        {
            return Marshal.GetLastPInvokeError() is NoSuchFile or NotADirectory ? Outcome.NotAFile : Outcome.Undecided;
        }

        length = lseek(descriptor, 0, SeekEnd);
        if (length >= 0)
        {
            return Outcome.Opened;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == NotSeekable)
        {
            // A FIFO or socket: listed with no size, as lstat reports it, and never read.
            length = 0;
            return Outcome.Opened;
        }

        Close(descriptor);
        descriptor = -1;
        return Outcome.Undecided;
    }

    /// <summary>
    /// Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; -1 when the
    /// descriptor is a folder (which lseek does not always tell).
    /// </summary>
    /// <exception cref="IOException">The read failed.</exception>
    public static int Read(int descriptor, byte[] buffer, long offset)
    {
        while (true)
        {
            var read = pread(descriptor, buffer, (nuint)buffer.Length, offset);
            if (read >= 0)
            {
                return (int)read;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == IsADirectory)
            {
                return -1;
            }

            if (error != 4 /* EINTR */)
            {
                throw new IOException($"read failed (errno {error})", error);
            }
        }
    }

    public static void Close(int descriptor) => _ = close(descriptor);

#pragma warning disable SYSLIB1054, CA5392, IDE1006 // plain libc calls, named as in C; the runtime marshals a string as UTF-8 on Linux
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern long lseek(int descriptor, long offset, int whence);

    [DllImport("libc", SetLastError = true)]
    private static extern nint pread(int descriptor, byte[] buffer, nuint count, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int descriptor);
#pragma warning restore SYSLIB1054, CA5392, IDE1006
}
