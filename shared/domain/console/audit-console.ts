import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';
import type { AuditPage } from './ports';

/** Audit items read per page. */
export const AUDIT_PAGE_SIZE = 100;

export interface AuditQuery {
  /** UTC day, `2026-11-29`; default today. */
  day?: string;
  /** Only this user's items (their email). */
  user?: string;
  /** Only items about this (`ALERT#…`, `REPLY#…`, `PATIENT#…`; a prefix). */
  subject?: string;
  /** Where the page starts (the previous page's `next`). */
  after?: string;
}

export interface AuditView extends AuditPage {
  day: string;
  user?: string;
  subject?: string;
}

/**
 * The audit page (admins only): who viewed or changed what, when and from
 * where, one UTC day at a time, newest first, optionally one user's or about
 * one thing. Reading the audit is audited too.
 */
export async function listAudit(
  deps: ConsoleDeps,
  request: StaffRequest,
  query: AuditQuery,
): Promise<ConsoleResult<AuditView>> {
  if (!(await allowed(deps, request, 'audit', 'PAGE#audit'))) return { ok: false, reason: 'forbidden' };
  const day = query.day ?? deps.clock.now().slice(0, 10);
  const page = await deps.audit.listDay(day, {
    limit: AUDIT_PAGE_SIZE,
    ...(query.after ? { after: query.after } : {}),
    ...(query.user ? { user: query.user } : {}),
    ...(query.subject ? { subject: query.subject } : {}),
  });
  await record(deps, request, 'view', 'PAGE#audit');
  return {
    ok: true,
    value: {
      ...page,
      day,
      ...(query.user ? { user: query.user } : {}),
      ...(query.subject ? { subject: query.subject } : {}),
    },
  };
}
