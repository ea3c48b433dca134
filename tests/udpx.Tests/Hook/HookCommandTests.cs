using Udpx.Server;

namespace Udpx.Tests.Hook;

/// <summary>`serve --on-file CMD` is split into argv as documented (docs/hook.md), never by a shell.</summary>
public sealed class HookCommandTests
{
    [Theory]
    [InlineData("/usr/bin/logger", new[] { "/usr/bin/logger" })]
    [InlineData("  copy   --to  /srv/x  ", new[] { "copy", "--to", "/srv/x" })]
    [InlineData("copy 'two words' \"three  spaced words\"", new[] { "copy", "two words", "three  spaced words" })]
    [InlineData("copy 'a \"b\" \\c'", new[] { "copy", "a \"b\" \\c" })]
    [InlineData("copy \"a \\\"b\\\" \\\\ \\c\"", new[] { "copy", "a \"b\" \\ \\c" })]
    [InlineData("copy a\\ b \\'c", new[] { "copy", "a b", "'c" })]
    [InlineData("copy pre'fix'\"ed\"", new[] { "copy", "prefixed" })]
    [InlineData("copy ''", new[] { "copy", "" })]
    [InlineData("sh -c 'echo $1; rm -rf /' x", new[] { "sh", "-c", "echo $1; rm -rf /", "x" })]
    [InlineData("copy $HOME `id` $(id) *.bin ; | > <", new[] { "copy", "$HOME", "`id`", "$(id)", "*.bin", ";", "|", ">", "<" })]
    [InlineData("copy\ta", new[] { "copy", "a" })]
    public void A_command_is_split_into_words_as_documented(string text, string[] words)
    {
        Assert.True(HookCommand.TryParse(text, out var command, out string error), error);
        Assert.Equal(words[0], command!.Program);
        Assert.Equal(words[1..], command.Arguments);
        Assert.Equal(text, command.Text);
    }

    [Theory]
    [InlineData("", "the command names no program")]
    [InlineData("   ", "the command names no program")]
    [InlineData("'' x", "the command names no program")]
    [InlineData("copy 'open", "unclosed ' in the command")]
    [InlineData("copy \"open", "unclosed \" in the command")]
    [InlineData("copy \"open\\\"", "unclosed \" in the command")]
    [InlineData("copy \\", "the command ends with a lone \\")]
    public void A_command_that_cannot_be_split_is_refused_with_why(string text, string why)
    {
        Assert.False(HookCommand.TryParse(text, out var command, out string error));
        Assert.Null(command);
        Assert.Equal(why, error);
    }

    [Fact]
    public void The_program_is_found_by_path_or_in_PATH_and_must_be_executable()
    {
        Assert.True(HookCommand.TryParse("sh -c true", out var inPath, out _));
        Assert.NotNull(inPath!.Resolve());
        Assert.True(File.Exists(inPath.Resolve()));

        Assert.True(HookCommand.TryParse("/bin/sh", out var byPath, out _));
        Assert.Equal("/bin/sh", byPath!.Resolve());

        Assert.True(HookCommand.TryParse("no-such-program-udpx-hook", out var missing, out _));
        Assert.Null(missing!.Resolve());

        using var folder = new Support.TempFolder();
        string plain = folder.Write("plain", [1]);
        Assert.True(HookCommand.TryParse("'" + plain + "'", out var notExecutable, out _));
        Assert.Null(notExecutable!.Resolve());
    }
}
