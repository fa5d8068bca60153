/** The report's stylesheet, inlined (and allowed by hash in the page's CSP). */
export const REPORT_CSS = `
:root { --ink: #1d2430; --muted: #5b6472; --line: #e3e6ea; --bg: #f6f7f9; --unused: #c62828;
  --in-use: #2e7d32; --warn: #b26a00; --failed: #8e0000; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 22px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 16px; margin: 28px 0 10px; }
.headline { margin: 14px 0 0; font-size: 15px; }
.headline strong { color: var(--unused); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .count { display: block; font-size: 28px; font-weight: 700; line-height: 1.1; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.status-unused { border-top: 4px solid var(--unused); }
.card.status-unused .count { color: var(--unused); }
.card.status-in_use { border-top: 4px solid var(--in-use); }
.card.status-unverified, .card.status-inactive, .card.status-no_credentials { border-top: 4px solid var(--warn); }
.card.total { border-top: 4px solid var(--ink); }
.card.status-exempt, .card.status-service_linked { border-top: 4px solid #9e9e9e; }
.failed { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 8px; padding: 10px 14px; margin-top: 14px; }
.failed strong { color: var(--failed); }
.exemptions { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin-top: 14px; }
.exemptions.attention { background: #fff8e6; border-color: #f3d48a; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: #eef0f3; position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " \\2195"; color: #aaa; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--ink); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.reason { color: var(--muted); min-width: 240px; }
td.principal { max-width: 280px; overflow-wrap: anywhere; font-weight: 500; }
thead th { white-space: nowrap; }
td.when { white-space: nowrap; }
td.when .muted, td.credential { font-size: 12px; }
td.notes { font-size: 12px; color: var(--warn); max-width: 160px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.pill.unused { background: #fdecea; color: var(--unused); }
.pill.in_use { background: #e8f5e9; color: var(--in-use); }
.pill.unverified, .pill.inactive, .pill.no_credentials { background: #fff4e0; color: var(--warn); }
.pill.exempt, .pill.service_linked { background: #eceff1; color: var(--muted); }
.pill.failed { background: #fdecea; color: var(--failed); }
.pill.ok { background: #e8f5e9; color: var(--in-use); }
.severity-critical, .severity-high { color: var(--unused); font-weight: 600; }
.severity-medium { color: var(--warn); }
.severity-low, .severity-informational { color: var(--muted); }
.muted { color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 10px; }
.filters input, .filters select { font: inherit; padding: 5px 8px; border: 1px solid #c8ccd2; border-radius: 6px; background: #fff; }
.filters input { min-width: 260px; }
code { font-size: 12px; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; } .filters { display: none; } thead th { position: static; } }
`;
