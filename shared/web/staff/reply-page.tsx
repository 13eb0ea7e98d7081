import type { VNode } from 'preact';
import type { FullBooking } from '../../contracts/booking-events';
import type { StoredReply } from '../../domain/ports';
import { renderPage } from '../layout';
import { type ClinicView, ContactSection, ReplySection, SessionSection, Term } from './reply-sections';
import { StaffDocument } from './staff-document';

export interface ReplyPageInput {
  reply: StoredReply;
  booking: FullBooking;
  clinic: ClinicView;
  /** Triage rule descriptions by id (from the clinic config), shown next to each rule id. */
  ruleDescriptions?: Readonly<Record<string, string>>;
}

/**
 * The staff view of one stored reply (the review digest links here): what
 * was reported, which rules fired, how to reach the patient and the
 * session. Read only: there is nothing to acknowledge.
 */
export function ReplyPage(input: ReplyPageInput): VNode {
  const { reply, booking, clinic } = input;
  const heading = reply.triage === 'review' ? 'Check-in reply to review' : `Check-in reply (${reply.triage})`;
  return (
    <StaffDocument title={heading} clinicName={clinic.name}>
      <h1>{heading}</h1>
      {reply.alertId !== undefined ? (
        <div class="status status-urgent">
          <p>
            This reply raised an urgent alert (<code>{reply.alertId}</code>). Use the link in the alert
            message to acknowledge it.
          </p>
        </div>
      ) : null}
      <ReplySection
        reply={reply}
        booking={booking}
        clinic={clinic}
        ruleDescriptions={input.ruleDescriptions ?? {}}
      />
      <ContactSection booking={booking} />
      <SessionSection booking={booking} clinic={clinic} />
      <h2>Reply details</h2>
      <dl class="answers">
        <Term label="Reply">
          <code>{reply.replyId}</code>
        </Term>
      </dl>
    </StaffDocument>
  );
}

/** The reply page as a whole page; see `ReplyPage`. */
export function renderReplyPage(input: ReplyPageInput): string {
  return renderPage(<ReplyPage {...input} />);
}
