namespace Udpx.Demo.Report;

/// <summary>The report's style sheet, inline in the page: system fonts only, readable on screen and on A4.</summary>
internal static class ReportStyle
{
    public const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d1d1d; background: #ffffff; max-width: 1180px; margin: 24px auto; padding: 0 24px; line-height: 1.45; font-size: 14px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 19px; border-bottom: 2px solid #4e79a7; padding-bottom: 3px; margin-top: 32px; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        p.meta { color: #555555; margin-top: 0; }
        code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
        table { border-collapse: collapse; margin: 8px 0 12px; }
        th, td { border: 1px solid #d6d6d6; padding: 3px 8px; text-align: left; vertical-align: top; }
        thead th { background: #eef2f7; }
        tbody th { background: #f6f6f6; font-weight: 600; }
        td.n, th.n { text-align: right; white-space: nowrap; }
        td.ok { color: #1e6b2a; }
        td.bad { color: #b00020; font-weight: 600; }
        table.mono td, table.mono th { padding: 1px 6px; font-size: 11px; white-space: nowrap; }
        figure { margin: 10px 0; }
        figure.topology svg { width: 100%; max-width: 832px; height: auto; border: 1px solid #d6d6d6; }
        figure.chart svg { display: block; border: 1px solid #e4e4e4; }
        figcaption { color: #555555; font-size: 12px; margin-top: 4px; }
        .pair { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        .stream { flex: 1 1 520px; min-width: 0; }
        .stream p.caption { margin: 4px 0; font-weight: 600; }
        @media print { body { margin: 0; max-width: none; } section { break-inside: avoid-page; } h2 { break-after: avoid; } }

        """;
}
