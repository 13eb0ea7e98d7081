import type { VNode } from 'preact';
import { formatStaffTime } from '../../domain/alerts/staff-wording';
import type { ReplyDetail } from '../../domain/console/alerts-console';
import { ContactSection, ReplySection, SenderSection, SessionSection } from '../staff/reply-sections';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer } from './console-document';
import { MarkReviewedForm } from './review-page';

/**
 * One check-in reply in the console (the review digest links here): what was
 * reported with the triggering answers highlighted, why it was flagged, how
 * to reach the patient, the session, and its alert when it raised one.
 */
export function ConsoleReplyPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  detail: ReplyDetail;
}): VNode {
  const { reply, booking, triggers } = props.detail;
  const who = booking ? booking.patient.firstName : 'Number not on file';
  const heading =
    reply.triage === 'review'
      ? `${who}: check-in reply to review`
      : `${who}: check-in reply (${reply.triage})`;
  return (
    <ConsoleDocument title={heading} clinicName={props.clinic.name} viewer={props.viewer} current="review">
      <h1>{heading}</h1>
      {reply.alertId !== undefined ? (
        <div class="status status-urgent">
          <p>
            This reply raised an urgent alert.{' '}
            {/* A reply that came while the booking's alert was open was added to that alert. */}
            <a href={`/console/alerts/${encodeURIComponent(reply.joinsAlertId ?? reply.alertId)}`}>
              Open the alert
            </a>
          </p>
        </div>
      ) : null}
      {reply.triage === 'review' ? (
        reply.reviewedAt ? (
          <div class="status status-done">
            <p>
              Reviewed by {reply.reviewedBy} at {formatStaffTime(reply.reviewedAt, props.clinic.timeZone)}.
            </p>
          </div>
        ) : (
          <MarkReviewedForm
            bookingId={reply.bookingId}
            replyId={reply.replyId}
            csrfToken={props.viewer.csrfToken}
          />
        )
      ) : null}
      <ReplySection
        reply={reply}
        {...(booking ? { booking } : {})}
        clinic={props.clinic}
        ruleDescriptions={props.clinic.ruleDescriptions}
        triggers={new Set(triggers)}
      />
      {booking ? (
        <>
          <ContactSection booking={booking} />
          <SessionSection booking={booking} clinic={props.clinic} />
        </>
      ) : (
        <SenderSection phone={reply.from} />
      )}
    </ConsoleDocument>
  );
}
