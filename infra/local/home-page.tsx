import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { DeadLetter } from '../../shared/domain/ports';
import type { OutboxEntry } from './adapters';

/** The home page's own small stylesheet (a developer page on loopback, not a patient or staff page). */
const HOME_STYLE = [
  'body{font:15px/1.4 system-ui,sans-serif;margin:1rem;max-width:70rem}table{border-collapse:collapse;width:100%}',
  'td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}form{display:inline}',
  'button{margin:.2rem;padding:.4rem .8rem}pre{white-space:pre-wrap;margin:0}',
].join('\n');

function Advance(props: { label: string; duration: string }): VNode {
  return (
    <form method="post" action="/local/clock">
      <input type="hidden" name="advance" value={props.duration} />
      <button type="submit">{props.label}</button>
    </form>
  );
}

function Table(props: { headings: string[]; rows: unknown[][] }): VNode {
  return (
    <table>
      <thead>
        <tr>
          {props.headings.map((heading) => (
            <th>{heading}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            {row.map((cell) => (
              <td>{String(cell ?? '')}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface HomeView {
  now: string;
  outbox: OutboxEntry[];
  schedules: { bookingId: string; kind: string; at: string }[];
  deadLetters: DeadLetter[];
}

function HomePage(view: HomeView): VNode {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Clinic follow-up, local runtime</title>
        <style>{HOME_STYLE}</style>
      </head>
      <body>
        <h1>Clinic follow-up: local runtime</h1>
        <p>
          Virtual time: <strong>{view.now}</strong>
        </p>
        <p>
          <Advance label="+1 hour" duration="PT1H" />
          <Advance label="+1 day" duration="P1D" />
          <Advance label="+7 days" duration="P7D" />
        </p>
        <h2>Pending schedules ({view.schedules.length})</h2>
        <Table
          headings={['At (UTC)', 'Booking', 'Kind']}
          rows={view.schedules.map((s) => [s.at, s.bookingId, s.kind])}
        />
        <h2>Outbox ({view.outbox.length})</h2>
        <Table
          headings={['At (UTC)', 'Channel', 'To', 'Kind', 'Subject / text']}
          rows={view.outbox.map((m) => [
            m.at,
            m.channel,
            m.to,
            m.channel === 'staff' ? 'staff alert' : m.kind,
            m.channel === 'sms' ? m.text : m.subject,
          ])}
        />
        <h2>Dead letters ({view.deadLetters.length})</h2>
        <Table
          headings={['At (UTC)', 'Source', 'Reason']}
          rows={view.deadLetters.map((d) => [d.at, d.source, d.reason])}
        />
        <p>
          JSON: <a href="/local/outbox">outbox</a> · <a href="/local/schedules">schedules</a> ·{' '}
          <a href="/local/dlq">dlq</a> · <a href="/local/clock">clock</a>
        </p>
      </body>
    </html>
  );
}

/** The local runtime's home page: virtual time, buttons to move it, schedules, outbox and DLQ. */
export function renderHomePage(view: HomeView): string {
  return `<!DOCTYPE html>\n${renderToString(<HomePage {...view} />)}\n`;
}
