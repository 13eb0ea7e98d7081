import type { VNode } from 'preact';
import { formatStaffTime } from '../../domain/alerts/staff-wording';
import type { AuditView } from '../../domain/console/audit-console';
import type { AuditAction } from '../../domain/console/ports';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer } from './console-document';

const ACTION_WORDS: Readonly<Record<AuditAction | 'search', string>> = {
  view: 'viewed',
  review: 'marked reviewed',
  export: 'exported',
  acknowledge: 'acknowledged',
  close: 'closed',
  search: 'searched',
  denied: 'was refused',
  'sign-in': 'signed in',
  'sign-out': 'signed out',
};

/** The audit trail of one day, newest first, with a filter by user and by what was concerned. */
export function AuditPageView(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  view: AuditView;
}): VNode {
  const { view, clinic } = props;
  const params = (extra: Record<string, string>) =>
    new URLSearchParams({
      day: view.day,
      ...(view.user ? { user: view.user } : {}),
      ...(view.subject ? { subject: view.subject } : {}),
      ...extra,
    }).toString();
  return (
    <ConsoleDocument title="Audit" clinicName={clinic.name} viewer={props.viewer} current="audit">
      <h1>Audit</h1>
      <form method="get" action="/console/audit">
        <label class="label" for="day">
          Day (UTC)
        </label>
        <input type="date" id="day" name="day" value={view.day} />
        <label class="label" for="user">
          Only this user (email)
        </label>
        <input type="text" id="user" name="user" value={view.user ?? ''} autocomplete="off" />
        <label class="label" for="subject">
          Only about (e.g. ALERT#…, REPLY#…)
        </label>
        <input type="text" id="subject" name="subject" value={view.subject ?? ''} autocomplete="off" />
        <button type="submit" class="button button-secondary">
          Show
        </button>
      </form>
      <h2>
        {view.day}: {view.entries.length === 0 ? 'nothing on this page' : `${view.entries.length} entries`}
      </h2>
      {view.entries.length > 0 ? (
        <table>
          <caption class="sr-only">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When ({clinic.timeZone})</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {view.entries.map((entry) => (
              <tr>
                <td>{formatStaffTime(entry.at, clinic.timeZone)}</td>
                <td>{entry.user.email}</td>
                <td>
                  {ACTION_WORDS[entry.action] ?? entry.action} <code>{entry.subject}</code>
                  <br />
                  <span class="meta">{entry.page}</span>
                </td>
                <td>
                  {entry.origin.ip}
                  <br />
                  <span class="meta">
                    {entry.origin.userAgent.slice(0, 80)} · request {entry.origin.requestId}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {view.next ? (
        <p>
          <a href={`/console/audit?${params({ after: view.next })}`}>Older entries of this day</a>
        </p>
      ) : null}
    </ConsoleDocument>
  );
}
