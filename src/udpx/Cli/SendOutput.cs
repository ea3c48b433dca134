using Udpx.Client;
using Udpx.Common;
using Udpx.Engine;

namespace Udpx.Cli;

/// <summary>The plain (headless) output of `udpx send`: what was skipped, and the results grouped by folder.</summary>
internal static class SendOutput
{
    public static void WriteSkipped(TextWriter output, SourceTree tree)
    {
        foreach (string skipped in tree.Skipped)
        {
            output.WriteLine("skipped: " + SafeText.Escape(skipped));
        }
        if (tree.EmptyFolders > 0)
        {
            output.WriteLine($"skipped: {tree.EmptyFolders} empty folder{(tree.EmptyFolders == 1 ? string.Empty : "s")} (udpx sends files; a folder is made on the server when a file in it is stored)");
        }
    }

    /// <summary>One line per transfer; when some came from folders, under a heading per folder ("sub/dir/: 3 files").</summary>
    public static void WriteByFolder(TextWriter output, IReadOnlyList<TransferResult> results)
    {
        if (!results.Any(r => r.Name.Contains('/', StringComparison.Ordinal)))
        {
            foreach (var r in results)
            {
                output.WriteLine(SendVerb.Describe(r));
            }
            return;
        }
        foreach (var folder in results.GroupBy(FolderOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int verified = folder.Count(r => r.Verified);
            output.WriteLine($"{(folder.Key.Length == 0 ? "./" : SafeText.Escape(folder.Key))}: {folder.Count()} file{(folder.Count() == 1 ? string.Empty : "s")}, {verified} verified");
            foreach (var r in folder.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                output.WriteLine("  " + SendVerb.Describe(r));
            }
        }
    }

    private static string FolderOf(TransferResult result)
    {
        int slash = result.Name.LastIndexOf('/');
        return slash < 0 ? string.Empty : result.Name[..(slash + 1)];
    }
}
