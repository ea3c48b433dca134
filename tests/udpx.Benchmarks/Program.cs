using BenchmarkDotNet.Running;

namespace Udpx.Benchmarks;

/// <summary>Hot loops of udpx under BenchmarkDotNet; see docs/performance.md for how to run them.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
