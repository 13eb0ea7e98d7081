import type { VNode } from 'preact';
import { noticeWords } from '../../domain/alerts/front-desk-notices';
import { formatStaffTime } from '../../domain/alerts/staff-wording';
import type { NoticeItem } from '../../domain/console/notices-console';
import { Outside, PhoneLink } from '../components';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer, CsrfField } from './console-document';
import { MESSAGE_LABELS } from './today-page';

/** One notice: what did not reach whom, when the session is, and how to reach the patient another way. */
function NoticeCard(props: { item: NoticeItem; clinic: ConsoleClinic; csrfToken: string }): VNode {
  const { notice, booking } = props.item;
  const { timeZone } = props.clinic;
  return (
    <li class="card flag">
      <h2>
        {booking ? <Outside text={booking.patient.firstName} /> : 'Unknown patient'}:{' '}
        {noticeWords(notice.reason).toLowerCase()}
      </h2>
      <p class="meta">
        {MESSAGE_LABELS[notice.kind]}, noticed {formatStaffTime(notice.at, timeZone)}
        {booking ? `; session ${formatStaffTime(booking.session.startsAt, timeZone)}` : ''}
      </p>
      {booking?.patient.phone ? (
        <p>
          Call: <PhoneLink phone={booking.patient.phone} />
        </p>
      ) : null}
      {booking?.patient.email ? (
        <p>
          Email on file: <Outside text={booking.patient.email} />
        </p>
      ) : null}
      <form
        method="post"
        action={`/console/notices/${encodeURIComponent(notice.bookingId)}/${encodeURIComponent(notice.reason)}/done`}
      >
        <CsrfField token={props.csrfToken} />
        <button type="submit" class="button button-secondary">
          Mark dealt with
        </button>
      </form>
    </li>
  );
}

/** The front desk's notices: patients no channel reached, oldest first. */
export function NoticesPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  items: readonly NoticeItem[];
  /** The cursor of the next page, when more notices are open than this page shows. */
  next?: string;
  /** This page follows others (the count is of this page only). */
  continued?: boolean;
  done?: boolean;
}): VNode {
  const { items, clinic, viewer } = props;
  const count = props.next || props.continued ? `${items.length} on this page` : String(items.length);
  return (
    <ConsoleDocument title="Notices" clinicName={clinic.name} viewer={viewer} current="notices">
      <h1>Notices ({count})</h1>
      {props.done ? (
        <div class="status status-done">
          <p>Marked dealt with.</p>
        </div>
      ) : null}
      {items.length === 0 ? <p>Every patient was reached.</p> : null}
      <ul class="cards">
        {items.map((item) => (
          <NoticeCard item={item} clinic={clinic} csrfToken={viewer.csrfToken} />
        ))}
      </ul>
      {props.next ? (
        <p>
          <a href={`/console/notices?after=${encodeURIComponent(props.next)}`}>More notices (newer)</a>
        </p>
      ) : null}
      {props.continued ? (
        <p>
          <a href="/console/notices">Back to the oldest</a>
        </p>
      ) : null}
    </ConsoleDocument>
  );
}
