import type { VNode } from 'preact';
import type { StaffLinkProblem } from '../../domain/alerts/staff-links';
import { renderPage } from '../layout';
import { StaffDocument } from './staff-document';

export interface StaffLinkProblemInput {
  problem: StaffLinkProblem;
  /** Shown in the banner when the clinic is known. */
  clinicName?: string;
}

const STAFF_PROBLEMS: Readonly<Record<StaffLinkProblem, { title: string; body: string }>> = {
  invalid: {
    title: 'This link does not work',
    body: 'The link may be incomplete. Open it again from the alert or digest message, and make sure you use the whole link, or find the alert in the staff console.',
  },
  'not-found': {
    title: 'We could not find this page',
    body: 'The alert or reply this link points to could not be found.',
  },
};

/**
 * A plain page for a staff link that cannot be used: what happened and what
 * to do, never a technical detail. It reminds staff that an urgent patient
 * still needs a call whatever happened to the link.
 */
export function StaffLinkProblemPage(input: StaffLinkProblemInput): VNode {
  const { title, body } = STAFF_PROBLEMS[input.problem];
  return (
    <StaffDocument title={title} clinicName={input.clinicName}>
      <h1>{title}</h1>
      <p>{body}</p>
      <p>If this was about an urgent alert, make sure someone on the care team contacts the patient.</p>
      <p>
        <a class="button" href="/console/alerts">
          Open the staff console
        </a>
      </p>
    </StaffDocument>
  );
}

/** The staff link-problem page as a whole page; see `StaffLinkProblemPage`. */
export function renderStaffLinkProblemPage(input: StaffLinkProblemInput): string {
  return renderPage(<StaffLinkProblemPage {...input} />);
}
