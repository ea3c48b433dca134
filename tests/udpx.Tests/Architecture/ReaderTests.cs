namespace Udpx.Tests.Architecture;

/// <summary>
/// The layering test is only as good as what <see cref="TypeDependencies"/> sees: it must find references made
/// only inside method bodies, in lambdas (compiled into nested classes), in generic arguments and catch clauses.
/// </summary>
public sealed class ReaderTests
{
    [Fact]
    public void References_inside_bodies_lambdas_generic_arguments_and_catch_clauses_count_for_the_written_type()
    {
        var dependencies = TypeDependencies.Of(typeof(ReaderTests).Assembly.Location);

        string user = typeof(BodyOnlyUser).FullName!;
        Assert.Contains(dependencies, d => d.From == user && d.To == typeof(CalledFromLambda).FullName);
        Assert.Contains(dependencies, d => d.From == user && d.To == typeof(ListedInBody).FullName);
        Assert.Contains(dependencies, d => d.From == user && d.To == typeof(CaughtInBody).FullName);
        Assert.DoesNotContain(dependencies, d => d.From.StartsWith("Udpx.", StringComparison.Ordinal) && d.From.Contains('<', StringComparison.Ordinal));
    }
}

internal static class CalledFromLambda
{
    public static int Value() => 1;
}

internal sealed class ListedInBody;

internal sealed class CaughtInBody : Exception
{
    public CaughtInBody()
    {
    }

    public CaughtInBody(string message) : base(message)
    {
    }

    public CaughtInBody(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>Mentions the three types above only inside its method body.</summary>
internal static class BodyOnlyUser
{
    public static int Use(int count)
    {
        Func<int> lambda = () => CalledFromLambda.Value() + count;
        var list = new List<ListedInBody>();
        try
        {
            return lambda() + list.Count;
        }
        catch (CaughtInBody)
        {
            return 0;
        }
    }
}
