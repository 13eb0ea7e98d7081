import type { VNode } from 'preact';
import { replyConsoleUrl } from '../../domain/alerts/console-links';
import { checkinKindLabel, formatStaffTime } from '../../domain/alerts/staff-wording';
import type { ReviewItem } from '../../domain/console/review-console';
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

/** The review queue: replies triaged "review", oldest first, call requests first in each line. */
export function ReviewPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  items: readonly ReviewItem[];
  notice?: string;
}): VNode {
  const { items, clinic, viewer } = props;
  return (
    <ConsoleDocument title="Review" clinicName={clinic.name} viewer={viewer} current="review">
      <h1>Review ({items.length})</h1>
      {props.notice ? (
        <div class="status status-done">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {items.length === 0 ? <p>Nothing is waiting for review.</p> : null}
      <ul class="cards">
        {items.map(({ reply, booking, reason, callRequested }) => (
          <li class="card">
            <h2>
              <a href={replyConsoleUrl('', reply.bookingId, reply.replyId)}>
                {booking ? booking.patient.firstName : 'Unknown patient'}:{' '}
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
    </ConsoleDocument>
  );
}
