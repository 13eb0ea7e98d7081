/*
 * Who a signed-in staff member is and what they may see (DESIGN section 10).
 * Groups are additive and minimal: `admin` grants the audit page only.
 */

export const STAFF_GROUPS = ['clinician', 'front-desk', 'admin'] as const;
export type StaffGroup = (typeof STAFF_GROUPS)[number];

/** A signed-in staff member, as the identity provider vouched for them. */
export interface Staff {
  /** The provider's stable subject id. */
  subject: string;
  email: string;
  /** What colleagues see on an acknowledged alert: the name, else the email. */
  name: string;
  groups: readonly StaffGroup[];
}

/** Where a request came from, for the audit trail. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
  requestId: string;
}

/** The parts of the console, each open to some groups. */
export type ConsoleArea =
  | 'home'
  | 'alerts'
  | 'review'
  | 'today'
  | 'patient'
  | 'answers'
  | 'outcomes'
  | 'audit'
  | 'notices'
  | 'export';

const ACCESS: Readonly<Record<ConsoleArea, readonly StaffGroup[]>> = {
  home: ['clinician', 'front-desk', 'admin'],
  alerts: ['clinician'],
  review: ['clinician'],
  today: ['clinician', 'front-desk'],
  patient: ['clinician', 'front-desk'],
  // What patients answered: clinicians only (front desk sees sessions, contacts and message status).
  answers: ['clinician'],
  outcomes: ['clinician'],
  audit: ['admin'],
  notices: ['clinician', 'front-desk'],
  // FHIR downloads carry answers: clinicians only, like the answers themselves.
  export: ['clinician'],
};

/** Whether a staff member's groups open this part of the console. */
export function mayUse(staff: Pick<Staff, 'groups'>, area: ConsoleArea): boolean {
  return staff.groups.some((group) => ACCESS[area].includes(group));
}

/** The claims an ID token or userinfo answer carries that matter here. */
export type IdentityClaims = Readonly<Record<string, unknown>>;

/** Raised when a provider's answer lacks what makes a staff member (a subject, an email). */
export class StaffIdentityError extends Error {
  constructor(readonly claim: string) {
    super(`the identity provider's answer has no usable ${claim}`);
    this.name = 'StaffIdentityError';
  }
}

/**
 * A staff member from the provider's claims. Groups come from `groupsClaim`
 * (`cognito:groups` on Cognito, and the local provider says the same); a
 * group we do not know is ignored, so it can never grant anything.
 *
 * @throws StaffIdentityError without a subject or an email
 */
export function staffFromClaims(claims: IdentityClaims, groupsClaim: string): Staff {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw new StaffIdentityError('sub');
  const email = claims.email;
  if (typeof email !== 'string' || !email.includes('@')) throw new StaffIdentityError('email');
  const rawGroups = claims[groupsClaim];
  const groups = STAFF_GROUPS.filter((group) => Array.isArray(rawGroups) && rawGroups.includes(group));
  const name = typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim() : email;
  return { subject, email, name: name.slice(0, 100), groups };
}
