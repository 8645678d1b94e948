using Microsoft.Win32.SafeHandles;

namespace BuildLore.Core.Codebase;

/// <summary>
/// Where an opened file really is, asked of the kernel about the open file itself rather than worked
/// out from the path it was opened by. Checking a path and opening it are two steps: a link swapped in
/// between (by a build running in the workspace, say) would be followed out of the workspace, or to a
/// secret file, by an open that trusted the check. Looking at the opened file closes that gap.
/// </summary>
internal static class OpenedFile
{
    /// <summary>
    /// The opened file's real path relative to <paramref name="realRoot"/>, with '/' separators, or
    /// null when it lies outside. False when this system cannot tell (only Linux can, through
    /// <c>/proc/self/fd</c>): the path's check then stands alone.
    /// </summary>
    public static bool TryGetRealRelative(SafeFileHandle handle, string realRoot, out string? realRelative)
    {
        realRelative = null;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var real = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
            if (real is null)
            {
                return false;
            }

            realRelative = CodebaseScanner.IsUnder(realRoot, real) ? Path.GetRelativePath(realRoot, real) : null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // no /proc here
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
