namespace Udpx.Modes;

/// <summary>
/// How to start this very program again as a worker: the native binary re-executes itself; under the
/// dotnet host (development, tests) the udpx apphost or udpx.dll beside this assembly is used.
/// </summary>
internal sealed record WorkerCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public const string Verb = "worker";

    public static WorkerCommand Resolve()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("udpx", StringComparison.OrdinalIgnoreCase))
        {
            return new WorkerCommand(self, []);
        }
        string baseDirectory = AppContext.BaseDirectory;
        string apphost = Path.Combine(baseDirectory, OperatingSystem.IsWindows() ? "udpx.exe" : "udpx");
        if (File.Exists(apphost))
        {
            return new WorkerCommand(apphost, []);
        }
        string dll = Path.Combine(baseDirectory, "udpx.dll");
        if (File.Exists(dll))
        {
            return new WorkerCommand(self ?? "dotnet", [dll]);
        }
        throw new InvalidOperationException("cannot find the udpx executable to start worker processes");
    }
}
