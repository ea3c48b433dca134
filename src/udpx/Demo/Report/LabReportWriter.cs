using Udpx.Common;

namespace Udpx.Demo.Report;

/// <summary>`demo --report DIR`: writes DIR/report.html, through a temporary file, so no half-written report ever has the name.</summary>
internal static class LabReportWriter
{
    public const string FileName = "report.html";

    /// <summary>Creates <paramref name="folder"/> if needed; fails with a <see cref="UserError"/> before the demo runs when it cannot be written.</summary>
    public static string Prepare(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, "." + FileName + "." + Environment.ProcessId + ".probe");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return Path.GetFullPath(Path.Combine(folder, FileName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UserError(ExitCodes.InputError, "cannot write the report into '" + folder + "': " + ex.Message);
        }
    }

    public static void Write(string path, LabReport report)
    {
        string html = LabReportPage.Render(report);
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        try
        {
            File.WriteAllText(temporary, html);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new UserError(ExitCodes.InputError, "cannot write the report '" + path + "': " + ex.Message);
        }
    }
}
