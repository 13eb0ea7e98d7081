import type { VNode } from 'preact';
import { replyConsoleUrl } from '../../domain/alerts/console-links';
import { checkinKindLabel, formatStaffTime } from '../../domain/alerts/staff-wording';
import type { MissedItem, ReviewItem } from '../../domain/console/review-console';
import { Outside, PhoneLink } from '../components';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer, CsrfField } from './console-document';

/** The button that marks one reply reviewed in the signed-in name. */
export function MarkReviewedForm(props: { bookingId: string; replyId: string; csrfToken: string }): VNode {
  return (
    <form method="post" action={`${replyConsoleUrl('', props.bookingId, props.replyId)}/reviewed`}>
      <CsrfField token={props.csrfToken} />
      <button type="submit" class="button button-secondary">
        Mark reviewed
      </button>
    </form>
  );
}

/** One missed check-in: who, which check-in, when it went, and a tap-to-call phone. */
function MissedCard(props: { item: MissedItem; clinic: ConsoleClinic; csrfToken: string }): VNode {
  const { missed, booking } = props.item;
  const phone = booking?.patient.phone;
  return (
    <li class="card">
      <h2>
        {booking ? <Outside text={booking.patient.firstName} /> : 'Unknown patient'}: no reply to the{' '}
        {checkinKindLabel(missed.kind)}
      </h2>
      <p class="meta">
        Sent {formatStaffTime(missed.sentAt, props.clinic.timeZone)}
        {missed.bothEarlyMissed ? '. Missed the same-day check-in too.' : ''}
      </p>
      {phone ? (
        <p>
          Call: <PhoneLink phone={phone} />
        </p>
      ) : null}
      <form
        method="post"
        action={`/console/missed/${encodeURIComponent(missed.bookingId)}/${encodeURIComponent(missed.kind)}/reviewed`}
      >
        <CsrfField token={props.csrfToken} />
        <button type="submit" class="button button-secondary">
          Mark reviewed
        </button>
      </form>
    </li>
  );
}

/** The review queue: replies triaged "review", oldest first, call requests first in each line; then missed check-ins. */
export function ReviewPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  items: readonly ReviewItem[];
  missed?: readonly MissedItem[];
  notice?: string;
}): VNode {
  const { items, clinic, viewer } = props;
  const missed = props.missed ?? [];
  return (
    <ConsoleDocument title="Review" clinicName={clinic.name} viewer={viewer} current="review">
      <h1>Review ({items.length + missed.length})</h1>
      {props.notice ? (
        <div class="status status-done">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {items.length === 0 && missed.length === 0 ? <p>Nothing is waiting for review.</p> : null}
      <ul class="cards">
        {items.map(({ reply, booking, reason, callRequested }) => (
          <li class="card">
            <h2>
              <a href={replyConsoleUrl('', reply.bookingId, reply.replyId)}>
                {booking ? <Outside text={booking.patient.firstName} /> : 'Unknown patient'}:{' '}
                {callRequested ? 'asked for a call; ' : ''}
                {reason}
              </a>
            </h2>
            <p class="meta">
              {checkinKindLabel(reply.kind)}, received {formatStaffTime(reply.receivedAt, clinic.timeZone)}
            </p>
            <MarkReviewedForm
              bookingId={reply.bookingId}
              replyId={reply.replyId}
              csrfToken={viewer.csrfToken}
            />
          </li>
        ))}
      </ul>
      {missed.length > 0 ? (
        <>
          <h2>Missed check-ins ({missed.length})</h2>
          <ul class="cards">
            {missed.map((item) => (
              <MissedCard item={item} clinic={clinic} csrfToken={viewer.csrfToken} />
            ))}
          </ul>
        </>
      ) : null}
    </ConsoleDocument>
  );
}
