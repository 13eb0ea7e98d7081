import type { DeadLetter } from '../../shared/domain/ports';
import { escapeHtml } from '../../shared/web/html';
import type { OutboxEntry } from './adapters';

const text = (value: unknown) => escapeHtml(String(value ?? ''));

/** The local runtime's home page: virtual time, buttons to move it, schedules, outbox and DLQ. */
export function renderHomePage(view: {
  now: string;
  outbox: OutboxEntry[];
  schedules: { bookingId: string; kind: string; at: string }[];
  deadLetters: DeadLetter[];
}): string {
  const advance = (label: string, duration: string) =>
    `<form method="post" action="/local/clock"><input type="hidden" name="advance" value="${duration}"><button>${label}</button></form>`;
  const rows = (cells: unknown[][]) =>
    cells.map((row) => `<tr>${row.map((cell) => `<td>${text(cell)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clinic follow-up, local runtime</title>
<style>body{font:15px/1.4 system-ui,sans-serif;margin:1rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}form{display:inline}
button{margin:.2rem;padding:.4rem .8rem}pre{white-space:pre-wrap;margin:0}</style></head>
<body><h1>Clinic follow-up: local runtime</h1>
<p>Virtual time: <strong>${text(view.now)}</strong></p>
<p>${advance('+1 hour', 'PT1H')}${advance('+1 day', 'P1D')}${advance('+7 days', 'P7D')}</p>
<h2>Pending schedules (${view.schedules.length})</h2>
<table><thead><tr><th>At (UTC)</th><th>Booking</th><th>Kind</th></tr></thead>
<tbody>${rows(view.schedules.map((s) => [s.at, s.bookingId, s.kind]))}</tbody></table>
<h2>Outbox (${view.outbox.length})</h2>
<table><thead><tr><th>At (UTC)</th><th>Channel</th><th>To</th><th>Kind</th><th>Subject / text</th></tr></thead>
<tbody>${rows(view.outbox.map((m) => [m.at, m.channel, m.to, m.channel === 'staff' ? 'staff alert' : m.kind, m.channel === 'sms' ? m.text : m.subject]))}</tbody></table>
<h2>Dead letters (${view.deadLetters.length})</h2>
<table><thead><tr><th>At (UTC)</th><th>Source</th><th>Reason</th></tr></thead>
<tbody>${rows(view.deadLetters.map((d) => [d.at, d.source, d.reason]))}</tbody></table>
<p>JSON: <a href="/local/outbox">outbox</a> · <a href="/local/schedules">schedules</a> · <a href="/local/dlq">dlq</a> · <a href="/local/clock">clock</a></p>
</body></html>`;
}
