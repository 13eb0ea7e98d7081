import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkinKindLabel, formatStaffDay, formatStaffTime } from '../../shared/domain/alerts/staff-wording';
import type { StoredReply } from '../../shared/domain/ports';
import { t } from '../../shared/web/i18n';
import { type AlertPageInput, renderAlertPage, type StaffAlertView } from '../../shared/web/staff/alert-page';
import { renderReplyPage } from '../../shared/web/staff/reply-page';
import { renderStaffLinkProblemPage } from '../../shared/web/staff/staff-link-problem';
import { STAFF_PAGE_SECURITY_HEADERS, STAFF_PAGE_STYLE } from '../../shared/web/styles';
import { aBooking } from '../support/fixtures';
import { decodeEntities, escapedText } from '../support/html';

const CLINIC = { name: 'Riverside Clinic', timeZone: 'America/New_York' } as const;
const ACTION = '/a/AbCdEf123';
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';

const BOOKING = aBooking();
const HOSTILE_BOOKING = aBooking({
  patient: { firstName: IMG },
  session: {
    location: '<b onclick="x()">Suite 200</b>',
    clinicianName: '<a href="javascript:x">Dr. Rivera</a>',
  },
});

/** An urgent one-week reply (Wed 4 Nov 2026, 2:05 PM in New York) that answers everything. */
const REPLY: StoredReply = {
  replyId: 'rp-0001',
  bookingId: BOOKING.bookingId,
  kind: 'checkin-week',
  receivedAt: '2026-11-04T19:05:00.000Z',
  answers: {
    mood: 2,
    sideEffects: { nausea: 'mild', 'chest-pain': 'severe', headache: 'none' },
    selfHarm: 'yes',
    wantsCall: true,
    note: `First line\r\n${SCRIPT}\nThird "line" & more`,
    phq9: [1, 2, 3, 1, 2, 3, 1, 2, 1],
    gad7: [0, 1, 2, 3, 0, 1, 2],
  },
  triage: 'urgent',
  rules: ['self-harm', 'any-effect-severe', 'wants-call'],
  scores: { phq9: { total: 16, band: 'moderately-severe' }, gad7: { total: 9, band: 'mild' } },
  alertId: 'al-0001',
};

const OPEN_ALERT: StaffAlertView = {
  alertId: 'al-0001',
  state: 'escalated',
  createdAt: '2026-11-04T19:05:01.000Z',
  escalations: 2,
};

const ACKNOWLEDGED: StaffAlertView = {
  ...OPEN_ALERT,
  state: 'acknowledged',
  acknowledgedAt: '2026-11-04T19:40:00.000Z',
  acknowledgedBy: 'Nurse Joy',
};

function alertPage(extra: Partial<AlertPageInput> = {}): string {
  return renderAlertPage({
    alert: OPEN_ALERT,
    reply: REPLY,
    booking: BOOKING,
    clinic: CLINIC,
    action: ACTION,
    ...extra,
  });
}

function replyPage(reply: StoredReply = { ...REPLY, triage: 'review', alertId: undefined }): string {
  return renderReplyPage({ reply, booking: BOOKING, clinic: CLINIC });
}

/** Every kind of staff page. */
const PAGES: [string, string][] = [
  ['alert open', alertPage()],
  ['alert acknowledged', alertPage({ alert: ACKNOWLEDGED, justAcknowledged: true })],
  ['alert already acknowledged', alertPage({ alert: ACKNOWLEDGED, alreadyAcknowledged: true })],
  ['reply', replyPage()],
  ['problem invalid', renderStaffLinkProblemPage({ problem: 'invalid' })],
  ['problem expired', renderStaffLinkProblemPage({ problem: 'expired' })],
  ['problem not-found', renderStaffLinkProblemPage({ problem: 'not-found' })],
];

/** The text a reader sees: tags dropped, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[#a-z0-9]+;/g, decodeEntities)
    .replace(/\s+/g, ' ');
}

/** The `<dd>` that follows the `<dt>` with this label. */
function definition(html: string, label: string): string {
  const start = html.indexOf(`<dt>${label}</dt>`);
  if (start < 0) throw new Error(`no term ${label}`);
  const open = html.indexOf('<dd>', start);
  return html.slice(open + 4, html.indexOf('</dd>', open));
}

describe('staff pages', () => {
  describe('every page', () => {
    it.each(PAGES)('is a complete English page with the staff style and no script (%s)', (_name, html) => {
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
      expect(html).toContain('<meta name="robots" content="noindex, nofollow"/>');
      expect(html.match(/<h1>/g)).toHaveLength(1);
      expect(html.match(/<title>/g)).toHaveLength(1);
      expect(html).toContain(`<style>${STAFF_PAGE_STYLE}</style>`);
      expect(html).not.toMatch(/<script|\sstyle="|\son[a-z]+=/i);
    });

    it.each(PAGES)('uses each id once and labels what it refers to (%s)', (_name, html) => {
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const [, ref] of html.matchAll(/\s(?:for|aria-describedby|aria-labelledby)="([^"]+)"/g)) {
        for (const id of (ref ?? '').split(' ')) expect(ids).toContain(id);
      }
    });
  });

  describe('STAFF_PAGE_SECURITY_HEADERS', () => {
    it('allows exactly the staff style by its hash, no script, forms to our own origin, no caching', () => {
      const hash = createHash('sha256').update(STAFF_PAGE_STYLE, 'utf8').digest('base64');
      const csp = STAFF_PAGE_SECURITY_HEADERS['Content-Security-Policy'];
      expect(csp).toContain(`style-src 'sha256-${hash}'`);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('script-src');
      expect(STAFF_PAGE_SECURITY_HEADERS['Cache-Control']).toBe('no-store');
      expect(STAFF_PAGE_SECURITY_HEADERS['Referrer-Policy']).toBe('no-referrer');
    });
  });

  describe('renderAlertPage', () => {
    it('shows every answer in the English words the patient form uses', () => {
      const html = alertPage();
      expect(definition(html, 'Mood (0 worst, 10 best)')).toBe('2 / 10');
      const effects = definition(html, 'Side effects since the session');
      expect(effects).toContain(`${t('en', 'sideEffect.nausea')}: Mild`);
      expect(effects).toContain(`${t('en', 'sideEffect.chest-pain')}: Severe`);
      expect(effects).not.toContain(t('en', 'sideEffect.headache'));
      expect(definition(html, t('en', 'form.selfHarm.legend'))).toContain('Yes');
      expect(definition(html, 'Asked for a call (“Please call me”)')).toContain('Yes');
      const phq9 = definition(html, 'PHQ-9');
      expect(phq9).toContain('Total 16 of 27: moderately severe');
      expect(visibleText(phq9)).toContain(`Item 9, “${t('en', 'phq9.8')}”: Several days (1)`);
      expect(definition(html, 'GAD-7')).toContain('Total 9 of 21: mild');
      expect(visibleText(html)).toContain(`7. ${t('en', 'gad7.6')} More than half the days (2)`);
    });

    it('says so when no side effect, no call and no self-harm thoughts were reported', () => {
      const quiet: StoredReply = {
        ...REPLY,
        kind: 'checkin-next-day',
        answers: { mood: 7, sideEffects: {}, selfHarm: 'no', wantsCall: false },
        scores: {},
      };
      const html = alertPage({ reply: quiet });
      expect(definition(html, 'Side effects since the session')).toBe('None reported.');
      expect(definition(html, t('en', 'form.selfHarm.legend'))).toBe('No');
      expect(definition(html, 'Asked for a call (“Please call me”)')).toBe('No');
      expect(definition(html, 'Note from the patient')).toBe('No note.');
      expect(html).not.toContain('PHQ-9');
      expect(html).not.toContain('GAD-7');
    });

    it('shows the note escaped, with its line breaks', () => {
      const note = definition(alertPage(), 'Note from the patient');
      expect(note).toContain(
        `First line<br/>${escapedText('<script>alert(1)</script>')}<br/>${escapedText('Third "line" & more')}`,
      );
      expect(note).not.toContain('\r');
    });

    it('lists the triage rules that fired, with their descriptions when given', () => {
      const html = alertPage({ ruleDescriptions: { 'self-harm': 'Thoughts of <self-harm>' } });
      expect(html).toContain(`<li><code>self-harm</code>${escapedText(': Thoughts of <self-harm>')}</li>`);
      expect(html).toContain('<li><code>any-effect-severe</code></li>');
      expect(html).toContain('<li><code>wants-call</code></li>');
    });

    it('tells which check-in and when it arrived, in the clinic time zone', () => {
      expect(alertPage()).toContain('One-week check-in, received Wed 4 Nov 2026, 2:05 PM EST.');
      const chicago = alertPage({ clinic: { name: 'Riverside Clinic', timeZone: 'America/Chicago' } });
      expect(chicago).toContain('received Wed 4 Nov 2026, 1:05 PM CST');
    });

    it('shows the session: date and time, treatment, location and clinician', () => {
      const html = alertPage();
      expect(definition(html, 'Booking reference')).toBe('<code>bk-0001</code>');
      expect(definition(html, 'Date and time')).toBe('Tue 3 Nov 2026, 10:00 AM EST');
      expect(definition(html, 'Treatment')).toBe('IV ketamine');
      expect(definition(html, 'Location')).toBe('Suite 200');
      expect(definition(html, 'Clinician')).toBe('Dr. Rivera');
    });

    it('shows how to reach the patient: first name, tap to call, tap to write', () => {
      const html = alertPage();
      expect(definition(html, 'First name')).toBe('Ana');
      expect(definition(html, 'Phone')).toBe('<a href="tel:+15555550123">+15555550123</a>');
      expect(definition(html, 'Email')).toBe('<a href="mailto:ana@example.org">ana@example.org</a>');
      expect(definition(html, 'Language')).toBe('English');
    });

    it('leaves out a contact the patient does not have, and names a Spanish speaker', () => {
      const booking = aBooking({ patient: { email: undefined, language: 'es' } });
      const html = alertPage({ booking });
      expect(html).not.toContain('mailto:');
      expect(html).toContain('tel:+15555550123');
      expect(definition(html, 'Language')).toBe('Spanish');
      expect(html).toContain('<blockquote class="note" lang="es">');
    });

    it('shows the state, when it was raised and how often it escalated', () => {
      const html = alertPage();
      expect(html).toContain('<p class="lead">Not acknowledged yet.</p>');
      expect(html).toContain('Escalated 2 times so far (at most 4).');
      expect(definition(html, 'State')).toBe('Escalated (not acknowledged)');
      expect(definition(html, 'Escalations sent')).toBe('2 of at most 4');
      expect(definition(html, 'Alert')).toBe('<code>al-0001</code>');
      const fresh = alertPage({ alert: { ...OPEN_ALERT, state: 'open', escalations: 0 }, maxEscalations: 3 });
      expect(fresh).toContain('Not escalated yet. It escalates if nobody acknowledges it (at most 3 times).');
    });

    it('offers the acknowledge form until someone acknowledges', () => {
      const html = alertPage();
      expect(html).toContain(`<form method="post" action="${ACTION}"`);
      expect(html).toContain('<label class="label" for="by">Your name</label>');
      expect(html).toMatch(/<input type="text" id="by" name="by" [^>]*>/);
      expect(html).toContain('<button type="submit" class="button">Acknowledge</button>');
    });

    it('hides the form and shows who acknowledged and when, once acknowledged', () => {
      const html = alertPage({ alert: ACKNOWLEDGED, justAcknowledged: true });
      expect(html).not.toContain('<form');
      expect(html).toContain('<p class="lead">Acknowledged by Nurse Joy at Wed 4 Nov 2026, 2:40 PM EST.</p>');
      expect(html).toContain('Thank you. Escalation has stopped.');
      expect(html).toContain('<h1>Urgent check-in reply: acknowledged</h1>');
      expect(definition(html, 'State')).toBe('Acknowledged');
    });

    it('tells a second acknowledger that someone else acknowledged first, and who', () => {
      const html = alertPage({ alert: ACKNOWLEDGED, alreadyAcknowledged: true });
      expect(html).not.toContain('<form');
      expect(html).toContain('Someone else acknowledged this alert first');
      expect(html).toContain('Acknowledged by Nurse Joy at Wed 4 Nov 2026, 2:40 PM EST.');
      expect(html).not.toContain('Thank you.');
    });

    it('says an acknowledgement without a name came from a staff member', () => {
      const html = alertPage({ alert: { ...ACKNOWLEDGED, acknowledgedBy: '  ' } });
      expect(html).toContain(
        'Acknowledged by a staff member (no name given) at Wed 4 Nov 2026, 2:40 PM EST.',
      );
    });

    it('escapes every value that came from a patient, the booking system or a staff member', () => {
      const html = alertPage({
        booking: HOSTILE_BOOKING,
        alert: { ...ACKNOWLEDGED, acknowledgedBy: `Joy ${SCRIPT}`, alertId: 'al-"><b>' },
        reply: { ...REPLY, rules: ['<i>rule</i>'], replyId: '<u>r</u>' },
      });
      const hostile = [SCRIPT, IMG, '<b onclick', '<a href="javascript', '<i>rule', '<u>r', '"><b>'];
      for (const markup of hostile) expect(html).not.toContain(markup);
      expect(definition(html, 'First name')).toBe(escapedText(IMG));
      expect(definition(html, 'Location')).toBe(escapedText('<b onclick="x()">Suite 200</b>'));
      expect(definition(html, 'Clinician')).toContain(escapedText('<a href="javascript:x">'));
      expect(html).toContain(escapedText('Acknowledged by Joy <script>'));
      const form = alertPage({ action: '/a/x"><script>' });
      expect(form).toContain(`action="${escapedText('/a/x"><script>')}"`);
    });

    it('escapes the clinic name in the title and banner', () => {
      const html = alertPage({ clinic: { name: 'A&B <Clinic>', timeZone: CLINIC.timeZone } });
      expect(html).toContain(`<title>${escapedText('Urgent check-in reply – A&B <Clinic> staff')}</title>`);
      expect(html).toContain(`<p>${escapedText('A&B <Clinic> · Staff')}</p>`);
    });
  });

  describe('renderReplyPage', () => {
    it('shows the same answers, rules, contact and session, with nothing to acknowledge', () => {
      const html = replyPage();
      expect(html).toContain('<h1>Check-in reply to review</h1>');
      expect(definition(html, 'Mood (0 worst, 10 best)')).toBe('2 / 10');
      expect(definition(html, 'Side effects since the session')).toContain(
        `${t('en', 'sideEffect.nausea')}: Mild`,
      );
      expect(html).toContain('<li><code>self-harm</code></li>');
      expect(html).toContain('tel:+15555550123');
      expect(definition(html, 'Treatment')).toBe('IV ketamine');
      expect(definition(html, 'Reply')).toBe('<code>rp-0001</code>');
      expect(html).not.toContain('<form');
      expect(html).not.toContain('Acknowledge');
    });

    it('points to the alert when the reply was urgent', () => {
      const html = replyPage(REPLY);
      expect(html).toContain('<h1>Check-in reply (urgent)</h1>');
      expect(html).toContain('This reply raised an urgent alert (<code>al-0001</code>)');
    });

    it('escapes the note, the names and the places', () => {
      const html = renderReplyPage({ reply: REPLY, booking: HOSTILE_BOOKING, clinic: CLINIC });
      for (const markup of [SCRIPT, IMG, '<b onclick', '<a href="javascript'])
        expect(html).not.toContain(markup);
      expect(html).toContain(escapedText(SCRIPT));
    });
  });

  describe('renderStaffLinkProblemPage', () => {
    it.each([
      ['invalid', 'This link does not work'],
      ['expired', 'This link has expired'],
      ['not-found', 'We could not find this page'],
    ] as const)('says plainly what went wrong (%s)', (problem, title) => {
      const html = renderStaffLinkProblemPage({ problem });
      expect(html).toContain(`<h1>${title}</h1>`);
      expect(html).toContain('make sure someone on the care team contacts the patient');
      expect(visibleText(html)).not.toMatch(/token|signature|hmac|error|stack|exception|\b40\d\b/i);
    });

    it('names the clinic when it is known', () => {
      const html = renderStaffLinkProblemPage({ problem: 'expired', clinicName: 'Riverside <Clinic>' });
      expect(html).toContain(`<p>${escapedText('Riverside <Clinic> · Staff')}</p>`);
    });
  });

  describe('staff wording', () => {
    it('names each check-in', () => {
      expect(checkinKindLabel('checkin-same-day')).toBe('same-day check-in');
      expect(checkinKindLabel('checkin-next-day')).toBe('next-day check-in');
      expect(checkinKindLabel('checkin-week')).toBe('one-week check-in');
    });

    it('formats instants in the given zone, across DST, and leaves non-dates alone', () => {
      expect(formatStaffTime('2026-07-01T16:30:00Z', 'America/New_York')).toBe(
        'Wed 1 Jul 2026, 12:30 PM EDT',
      );
      expect(formatStaffTime('2026-11-26T13:00:00Z', 'America/Denver', { withYear: false })).toBe(
        'Thu 26 Nov, 6:00 AM MST',
      );
      expect(formatStaffTime('soon', 'America/Denver')).toBe('soon');
      expect(formatStaffDay('2026-11-26')).toBe('Thu 26 Nov');
      expect(formatStaffDay('2026-11-26', { withYear: true })).toBe('Thursday 26 November 2026');
    });
  });
});
