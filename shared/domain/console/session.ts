import type { Staff } from './staff';

/** A signed-in staff member's session, kept server-side and named by an encrypted cookie. */
export interface StaffSession {
  sessionId: string;
  staff: Staff;
  /** Every POST carries it; bound to this session. */
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  /** The provider's ID token, sent back as `id_token_hint` when signing out. */
  idToken?: string;
}

/** How long a session lives (config `staff.session`). */
export interface SessionPolicy {
  /** Signed out after this long without a request. */
  idleMinutes: number;
  /** Signed out this long after signing in, whatever happens. */
  absoluteHours: number;
}

export type SessionState = 'active' | 'idle' | 'expired';

/** Whether a session may still be used at `now`: within both the idle and the absolute timeout. */
export function sessionState(session: StaffSession, now: string, policy: SessionPolicy): SessionState {
  const at = Date.parse(now);
  if (at >= Date.parse(session.createdAt) + policy.absoluteHours * 3_600_000) return 'expired';
  if (at >= Date.parse(session.lastSeenAt) + policy.idleMinutes * 60_000) return 'idle';
  return 'active';
}

/**
 * Whether to record this request as the session's last activity. At most
 * once a minute, so a page of many requests is one write.
 */
export function shouldTouch(session: StaffSession, now: string): boolean {
  return Date.parse(now) - Date.parse(session.lastSeenAt) >= 60_000;
}
