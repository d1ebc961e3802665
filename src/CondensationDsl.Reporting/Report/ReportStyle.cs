namespace CondensationDsl.Reporting.Report;

/// <summary>The report's only stylesheet, inlined so the page needs no other file. Screen and print in one place.</summary>
internal static class ReportStyle
{
    public const string Css = """
        :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
        * { box-sizing: border-box; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1240px; padding: 24px 28px 48px; }
        h1 { font-size: 1.75em; margin: 0 0 4px; }
        h2 { font-size: 1.3em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 1.05em; margin: 18px 0 8px; }
        code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
        .subtitle { color: var(--muted); margin: 0 0 12px; }
        .status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; border: 1px solid currentColor; }
        .status-completed { color: var(--ok); }
        .status-running { color: var(--warn); }
        .status-failed, .status-diverged, .status-unconverged, .status-interrupted, .status-unknown { color: var(--bad); }
        .banner { margin: 12px 0 4px; padding: 12px 16px; border-radius: 6px; border: 2px solid var(--bad); background: #ffebe9; }
        .banner.running { border-color: var(--warn); background: #fff8c5; }
        .banner strong { text-transform: uppercase; }
        nav { margin: 8px 0 0; color: var(--muted); }
        nav a { color: inherit; margin-right: 14px; }
        table { border-collapse: collapse; margin: 4px 0; }
        th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
        th { background: var(--bg-soft); font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .columns { display: flex; flex-wrap: wrap; gap: 24px 40px; align-items: flex-start; }
        .pass { color: var(--ok); font-weight: 700; }
        .fail { color: var(--bad); font-weight: 700; }
        tr.failed td { background: #fff5f5; }
        .note { color: var(--muted); font-style: italic; }
        .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 18px; }
        .figures.wide { grid-template-columns: 1fr; }
        figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
        figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
        figcaption { margin-top: 6px; color: var(--muted); font-size: 0.92em; }
        .missing { padding: 40px 12px; text-align: center; color: var(--bad); background: var(--bg-soft); }
        pre.source { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px 12px 0; overflow-x: auto; tab-size: 4; line-height: 1.5; counter-reset: line; }
        pre.source .line::before { counter-increment: line; content: counter(line); display: inline-block; width: 3.2em; margin-right: 14px; padding-right: 8px; text-align: right; color: #8c959f; border-right: 1px solid var(--line); user-select: none; }
        .tok-k { color: #8250df; font-weight: 600; }
        .tok-b { color: #0550ae; }
        .tok-d { color: #953800; font-weight: 600; }
        .tok-n { color: #0a3069; }
        .tok-s { color: #116329; }
        .tok-c { color: #6e7781; font-style: italic; }
        .tok-o { color: #cf222e; }
        footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11pt; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          nav { display: none; }
          h2 { break-after: avoid; }
          figure, tr, .banner { break-inside: avoid; }
          .figures { grid-template-columns: repeat(2, 1fr); }
          .figures.wide { grid-template-columns: 1fr; }
          pre.source { overflow: visible; white-space: pre-wrap; }
        }
        """;
}
