namespace Udpx.Demo;

/// <summary>The two images the demo sends, shipped inside the binary (made by build/make-samples.py).</summary>
internal static class SampleImages
{
    public static readonly string[] Names = ["mandelbrot.png", "waves.png"];

    /// <summary>The samples by name, as the demo's web server serves them.</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadAll()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string name in Names)
        {
            using var resource = Open(name);
            using var copy = new MemoryStream();
            resource.CopyTo(copy);
            files[name] = copy.ToArray();
        }
        return files;
    }

    /// <summary>Writes the samples into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> ExtractTo(string folder)
    {
        var paths = new List<string>();
        foreach (string name in Names)
        {
            using var resource = Open(name);
            string path = Path.Combine(folder, name);
            using (var file = File.Create(path))
            {
                resource.CopyTo(file);
            }
            paths.Add(path);
        }
        return paths;
    }

    private static Stream Open(string name) =>
        typeof(SampleImages).Assembly.GetManifestResourceStream("udpx.samples." + name)
            ?? throw new InvalidOperationException("sample " + name + " is missing from the binary");
}
