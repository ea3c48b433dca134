namespace Udpx.Modes;

/// <summary>
/// How to start this very program again as a worker: the native binary re-executes itself; under the
/// dotnet host (development, tests) the udpx apphost or udpx.dll beside this assembly is used.
/// </summary>
internal sealed record WorkerLaunch(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public const string Verb = "worker";

    public static WorkerLaunch Resolve()
    {
        string? self = Environment.ProcessPath;
        bool selfIsDotnetHost = self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        bool entryIsUdpx = string.Equals(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, "udpx", StringComparison.Ordinal);
        if (self is not null && entryIsUdpx && !selfIsDotnetHost)
        {
            // The native binary or its apphost, whatever the file is called: run ourselves again.
            return new WorkerLaunch(self, []);
        }
        string baseDirectory = AppContext.BaseDirectory;
        string dll = Path.Combine(baseDirectory, "udpx.dll");
        if (entryIsUdpx && selfIsDotnetHost && File.Exists(dll))
        {
            return new WorkerLaunch(self!, [dll]);
        }
        // Hosted by something else (a test runner): the udpx program built beside it.
        string apphost = Path.Combine(baseDirectory, OperatingSystem.IsWindows() ? "udpx.exe" : "udpx");
        if (File.Exists(apphost))
        {
            return new WorkerLaunch(apphost, []);
        }
        if (File.Exists(dll))
        {
            return new WorkerLaunch(selfIsDotnetHost ? self! : "dotnet", [dll]);
        }
        throw new InvalidOperationException("cannot find the udpx program to start worker processes from " + baseDirectory);
    }
}
