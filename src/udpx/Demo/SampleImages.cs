namespace Udpx.Demo;

/// <summary>The two images the demo sends, shipped inside the binary (made by build/make-samples.py).</summary>
internal static class SampleImages
{
    public static readonly string[] Names = ["mandelbrot.png", "waves.png"];

    /// <summary>Writes the samples into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> ExtractTo(string folder)
    {
        var paths = new List<string>();
        var assembly = typeof(SampleImages).Assembly;
        foreach (string name in Names)
        {
            using var resource = assembly.GetManifestResourceStream("udpx.samples." + name)
                ?? throw new InvalidOperationException("sample " + name + " is missing from the binary");
            string path = Path.Combine(folder, name);
            using (var file = File.Create(path))
            {
                resource.CopyTo(file);
            }
            paths.Add(path);
        }
        return paths;
    }
}
