import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CheckinKind } from '../../shared/contracts/vocabulary';
import { checkinKindLabel, formatStaffDay, formatStaffTime } from '../../shared/domain/alerts/staff-wording';
import type { AlertDetail, AlertLists, ReplyDetail } from '../../shared/domain/console/alerts-console';
import type { AlertRecord, StoredReply } from '../../shared/domain/ports';
import {
  AlertDetailPage,
  AlertsPage,
  ageText,
  type ConsoleClinic,
} from '../../shared/web/console/alerts-pages';
import { ConsoleMessagePage } from '../../shared/web/console/console-document';
import { ConsoleReplyPage } from '../../shared/web/console/reply-page';
import { ReviewPage } from '../../shared/web/console/review-page';
import { t } from '../../shared/web/i18n';
import { renderPage } from '../../shared/web/layout';
import { renderStaffLinkProblemPage } from '../../shared/web/staff/staff-link-problem';
import { CONSOLE_STYLE, CONSOLE_STYLE_HASH, pageSecurityHeaders } from '../../shared/web/styles';
import { aBooking } from '../support/fixtures';
import { decodeEntities, escapedText } from '../support/html';
import { CLINICIAN, onCallRecipients } from '../support/staff';

const CLINIC: ConsoleClinic = {
  name: 'Riverside Clinic',
  timeZone: 'America/New_York',
  maxEscalations: 4,
  ruleDescriptions: { 'self-harm': 'Thoughts of <self-harm>' },
};
const NOW = '2026-11-04T19:47:00.000Z';
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const VIEWER = { staff: CLINICIAN, csrfToken: 'csrf-token-value' };

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
  rules: ['self-harm', 'physical-severe', 'wants-call'],
  scores: { phq9: { total: 16, band: 'moderately-severe' }, gad7: { total: 9, band: 'mild' } },
  alertId: 'al-0001',
};

const OPEN: AlertRecord = {
  alertId: 'al-0001',
  bookingId: BOOKING.bookingId,
  replyId: REPLY.replyId,
  replyKind: 'checkin-week',
  rules: REPLY.rules,
  state: 'escalated',
  createdAt: '2026-11-04T19:05:01.000Z',
  escalations: 2,
};
const ACKNOWLEDGED: AlertRecord = {
  ...OPEN,
  state: 'acknowledged',
  acknowledgedAt: '2026-11-04T19:40:00.000Z',
  acknowledgedBy: 'Nurse Joy',
};

function detail(extra: Partial<AlertDetail> = {}): AlertDetail {
  return {
    alert: OPEN,
    booking: BOOKING,
    reason: 'Thoughts of being better off dead or of self-harm (+2 more)',
    replies: [REPLY],
    triggers: { [REPLY.replyId]: ['selfHarm', 'sideEffects.chest-pain', 'wantsCall', 'phq9.8'] },
    protocol: 'Call the patient now.',
    deliveries: [],
    ...extra,
  };
}

const alertPage = (extra: Partial<AlertDetail> = {}, props: { notice?: string; error?: string } = {}) =>
  renderPage(<AlertDetailPage viewer={VIEWER} clinic={CLINIC} detail={detail(extra)} now={NOW} {...props} />);

const replyPage = (value: Partial<ReplyDetail> = {}) =>
  renderPage(
    <ConsoleReplyPage
      viewer={VIEWER}
      clinic={CLINIC}
      detail={{
        reply: { ...REPLY, triage: 'review', alertId: undefined },
        booking: BOOKING,
        triggers: [],
        ...value,
      }}
    />,
  );

const LISTS: AlertLists = {
  unacknowledged: [{ alert: OPEN, booking: BOOKING, reason: 'Thoughts of self-harm' }],
  acknowledged: [{ alert: ACKNOWLEDGED, booking: BOOKING, reason: 'Chest pain' }],
  closed: [],
  month: '2026-11',
};

/** Every kind of console page. */
const PAGES: [string, string][] = [
  ['alerts', renderPage(<AlertsPage viewer={VIEWER} clinic={CLINIC} lists={LISTS} now={NOW} />)],
  ['alert open', alertPage()],
  ['alert acknowledged', alertPage({ alert: ACKNOWLEDGED }, { notice: 'You acknowledged this alert.' })],
  [
    'alert closing error',
    alertPage({ alert: ACKNOWLEDGED }, { error: 'Say whether you reached the patient.' }),
  ],
  ['reply', replyPage()],
  [
    'text reply',
    replyPage({
      reply: {
        ...REPLY,
        kind: 'text',
        triage: 'review',
        alertId: undefined,
        rules: ['text-message'],
        answers: { sideEffects: {}, wantsCall: false, note: 'I feel awful' },
        scores: {},
      },
    }),
  ],
  [
    'refused',
    renderPage(
      <ConsoleMessagePage title="Not available" clinicName={CLINIC.name} lines={['No.']} viewer={VIEWER} />,
    ),
  ],
];

/** The text a reader sees: tags dropped, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return (
    html
      .replace(/<style>[\s\S]*?<\/style>/g, '')
      // Isolated outside text is inline: its tags add no space.
      .replace(/<\/?bdi>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&[#a-z0-9]+;/g, decodeEntities)
      .replace(/\s+/g, ' ')
  );
}

/** The `<dd>` that follows the `<dt>` with this label. */
function definition(html: string, label: string): string {
  const start = html.indexOf(`<dt>${label}</dt>`);
  if (start < 0) throw new Error(`no term ${label}`);
  const open = html.indexOf('<dd>', start);
  return html.slice(open + 4, html.indexOf('</dd>', open));
}

/** One missed check-in on the review page, sent on 25 Nov. */
function missedItem(booking: typeof BOOKING, kind: CheckinKind, bothEarlyMissed: boolean) {
  return {
    booking,
    missed: {
      bookingId: booking.bookingId,
      patientId: booking.patient.id,
      kind,
      sentAt: '2026-11-25T15:00:00.000Z',
      missedAt: '2026-11-26T03:00:00.000Z',
      recordedAt: '2026-11-26T13:00:00.000Z',
      bothEarlyMissed,
    },
  };
}

describe('console pages', () => {
  describe('every page', () => {
    it.each(PAGES)('is a complete English page with the console style and no script (%s)', (_name, html) => {
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
      expect(html).toContain('<meta name="robots" content="noindex, nofollow"/>');
      expect(html.match(/<h1>/g)).toHaveLength(1);
      expect(html.match(/<title>/g)).toHaveLength(1);
      expect(html).toContain(`<style>${CONSOLE_STYLE}</style>`);
      expect(html).not.toMatch(/<script|\sstyle="|\son[a-z]+=/i);
    });

    it.each(PAGES)('uses each id once and labels what it refers to (%s)', (_name, html) => {
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const [, ref] of html.matchAll(/\s(?:for|aria-describedby|aria-labelledby)="([^"]+)"/g)) {
        for (const id of (ref ?? '').split(' ')) expect(ids).toContain(id);
      }
    });

    it.each(PAGES)('puts the session CSRF token in every form that posts (%s)', (_name, html) => {
      const forms = [...html.matchAll(/<form method="post"[\s\S]*?<\/form>/g)].map((m) => m[0]);
      expect(forms.length).toBeGreaterThan(0);
      for (const form of forms)
        expect(form).toContain('<input type="hidden" name="csrf" value="csrf-token-value"/>');
    });
  });

  describe('security headers', () => {
    it('allow exactly the console style by its hash, no script, forms to our origin and the given targets', () => {
      const hash = createHash('sha256').update(CONSOLE_STYLE, 'utf8').digest('base64');
      expect(CONSOLE_STYLE_HASH).toBe(`sha256-${hash}`);
      const headers = pageSecurityHeaders(CONSOLE_STYLE_HASH, ['https://x.auth.us-east-1.amazoncognito.com']);
      const csp = headers['Content-Security-Policy'];
      expect(csp).toContain(`style-src 'sha256-${hash}'`);
      expect(csp).toContain("form-action 'self' https://x.auth.us-east-1.amazoncognito.com;");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('script-src');
      expect(headers['Cache-Control']).toBe('no-store');
      expect(headers['Referrer-Policy']).toBe('no-referrer');
    });
  });

  describe('AlertsPage', () => {
    it('lists alerts to acknowledge first, with age, escalations, reason, first name and tap-to-call', () => {
      const html = renderPage(<AlertsPage viewer={VIEWER} clinic={CLINIC} lists={LISTS} now={NOW} />);
      const text = visibleText(html);
      expect(text.indexOf('To acknowledge (1)')).toBeLessThan(text.indexOf('Outcome to record (1)'));
      expect(text).toContain('Ana: Thoughts of self-harm');
      expect(text).toContain('raised 41 min ago · escalations 2');
      expect(html).toContain('<a href="/console/alerts/al-0001">');
      expect(html).toContain('<a href="tel:+15555550123">+15555550123</a>');
      expect(text).toContain('acknowledged by Nurse Joy');
    });
  });

  describe('AlertDetailPage', () => {
    it('shows every answer in the English words the patient form uses', () => {
      const html = alertPage();
      expect(visibleText(definition(html, 'Mood (0 worst, 10 best)'))).toBe('2 / 10');
      const window = t('en', 'window.checkin-week');
      const effects = visibleText(definition(html, `Side effects ${window}`));
      expect(effects).toContain(`${t('en', 'sideEffect.nausea')}: Mild`);
      expect(effects).toContain(`${t('en', 'sideEffect.chest-pain')}: Severe`);
      expect(effects).not.toContain(t('en', 'sideEffect.headache'));
      expect(visibleText(definition(html, t('en', 'form.selfHarm.legend', { window })))).toContain('Yes');
      const phq9 = definition(html, 'PHQ-9');
      expect(phq9).toContain('Total 16 of 27: moderately severe');
      expect(visibleText(phq9)).toContain(`Item 9, “${t('en', 'phq9.8')}”: Several days (1)`);
      expect(definition(html, 'GAD-7')).toContain('Total 9 of 21: mild');
      expect(visibleText(html)).toContain(`7. ${t('en', 'gad7.6')} More than half the days (2)`);
    });

    it('highlights the answers that made the rules fire, and says so to screen readers', () => {
      const html = alertPage();
      const marked = [...html.matchAll(/<mark>([\s\S]*?)<\/mark>/g)].map((m) => visibleText(m[1] ?? ''));
      expect(marked.some((m) => m.includes('Chest pain') && m.includes('flagged by triage'))).toBe(true);
      expect(marked.some((m) => m.includes('Yes'))).toBe(true);
      expect(marked.some((m) => m.includes('Several days (1)'))).toBe(true);
      expect(marked.some((m) => m.includes('Nausea') || m.includes('sick to your stomach'))).toBe(false);
      expect(visibleText(definition(html, 'Mood (0 worst, 10 best)'))).not.toContain('flagged');
    });

    it('says who was told, copy by copy: sent, refused and retried, or cancelled by the acknowledgement', () => {
      const { email, phone } = onCallRecipients();
      const base = {
        alertId: OPEN.alertId,
        message: { topic: 'alerts', subject: 'URGENT', text: 'URGENT' },
        dueAt: OPEN.createdAt,
      } as const;
      const html = alertPage({
        deliveries: [
          {
            ...base,
            step: 'alert',
            recipient: email,
            state: 'sent',
            attempts: 1,
            sentAt: '2026-11-04T19:05:02.000Z',
          },
          {
            ...base,
            step: 'alert',
            recipient: phone,
            state: 'due',
            attempts: 3,
            lastError: 'ThrottlingException',
          },
          { ...base, step: 'escalation-1', recipient: email, state: 'cancelled', attempts: 0 },
        ],
      });
      const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => visibleText(m[1] ?? ''));
      expect(rows.some((r) => r.includes('on-call@example-clinic.org') && r.includes('Sent'))).toBe(true);
      expect(
        rows.some(
          (r) =>
            r.includes('+15555550101') &&
            r.includes('text message') &&
            r.includes('Refused 3 times (ThrottlingException)'),
        ),
      ).toBe(true);
      expect(rows.some((r) => r.includes('Escalation 1') && r.includes('acknowledged first'))).toBe(true);
      // No copy yet (older alerts): no section.
      expect(visibleText(alertPage())).not.toContain('Who was told');
    });

    it('shows the note escaped, with its line breaks', () => {
      const note = definition(alertPage(), 'Note from the patient');
      expect(note).toContain(
        `First line<br/>${escapedText(SCRIPT)}<br/>${escapedText('Third "line" & more')}`,
      );
      expect(note).not.toContain('\r');
    });

    it('lists the triage rules that fired, with their descriptions escaped', () => {
      const html = alertPage();
      expect(html).toContain(`<li><code>self-harm</code>${escapedText(': Thoughts of <self-harm>')}</li>`);
      expect(html).toContain('<li><code>physical-severe</code></li>');
    });

    it('tells which check-in and when it arrived, in the clinic time zone', () => {
      expect(visibleText(alertPage())).toContain('One-week check-in, received Wed 4 Nov 2026, 2:05 PM EST.');
    });

    it('shows how to reach the patient and the session', () => {
      const html = alertPage();
      expect(definition(html, 'First name')).toBe('<bdi>Ana</bdi>');
      expect(definition(html, 'Phone')).toBe('<a href="tel:+15555550123">+15555550123</a>');
      expect(definition(html, 'Email')).toBe('<a href="mailto:ana@example.org">ana@example.org</a>');
      expect(definition(html, 'Date and time')).toBe('Tue 3 Nov 2026, 10:00 AM EST');
      expect(definition(html, 'Treatment')).toBe('IV ketamine');
    });

    it('shows the state, the age, the escalations and the protocol, with the acknowledge button', () => {
      const html = alertPage();
      const text = visibleText(html);
      expect(text).toContain('Not acknowledged yet: raised 41 min ago.');
      expect(text).toContain('Escalated 2 times so far (at most 4).');
      expect(text).toContain('Call the patient now.');
      expect(html).toContain('<form method="post" action="/console/alerts/al-0001/acknowledge">');
      expect(html).not.toContain('/close"');
    });

    it('once acknowledged: who and when, the notice, and the outcome form instead of the button', () => {
      const html = alertPage(
        { alert: ACKNOWLEDGED },
        { notice: 'Someone else acknowledged this alert first.' },
      );
      const text = visibleText(html);
      expect(text).toContain('Acknowledged by Nurse Joy at Wed 4 Nov 2026, 2:40 PM EST.');
      expect(text).toContain('Someone else acknowledged this alert first.');
      expect(html).not.toContain('/acknowledge"');
      expect(html).toContain('action="/console/alerts/al-0001/close"');
      expect(html).toContain('name="reached" value="yes"');
      expect(html).toContain('name="nextStep"');
    });

    it('once closed: who closed it and the outcome, and no form', () => {
      const closed: AlertRecord = {
        ...ACKNOWLEDGED,
        state: 'closed',
        closedAt: '2026-11-04T20:10:00.000Z',
        closedBy: 'Nurse Joy',
        outcome: { reached: true, safe: true, plan: `Call back tomorrow ${SCRIPT}` },
      };
      const html = alertPage({ alert: closed });
      expect(visibleText(html)).toContain('Closed by Nurse Joy at Wed 4 Nov 2026, 3:10 PM EST.');
      expect(definition(html, 'Plan')).toBe(escapedText(`Call back tomorrow ${SCRIPT}`));
      expect(html).not.toContain('<form method="post" action="/console/alerts');
    });

    it('escapes every value that came from a patient, the booking system or a staff member', () => {
      const html = alertPage({
        booking: HOSTILE_BOOKING,
        alert: { ...ACKNOWLEDGED, acknowledgedBy: `Joy ${SCRIPT}`, alertId: 'al-"><b>' },
        replies: [{ ...REPLY, rules: ['<i>rule</i>'], replyId: '<u>r</u>' }],
        reason: `<i>${SCRIPT}</i>`,
      });
      const hostile = [SCRIPT, IMG, '<b onclick', '<a href="javascript', '<i>rule', '<u>r', '"><b>'];
      for (const markup of hostile) expect(html).not.toContain(markup);
      expect(definition(html, 'First name')).toBe(`<bdi>${escapedText(IMG)}</bdi>`);
      expect(definition(html, 'Location')).toBe(
        `<bdi>${escapedText('<b onclick="x()">Suite 200</b>')}</bdi>`,
      );
      expect(html).toContain(escapedText('Acknowledged by Joy <script>'));
      expect(html).toContain(`action="/console/alerts/${encodeURIComponent('al-"><b>')}/close"`);
    });
  });

  describe('ConsoleReplyPage', () => {
    it('shows the answers, rules, contact and session, with nothing to act on', () => {
      const html = replyPage();
      expect(html).toContain('<h1>Ana: check-in reply to review</h1>');
      expect(visibleText(definition(html, 'Mood (0 worst, 10 best)'))).toBe('2 / 10');
      expect(html).toContain('<li><code>wants-call</code></li>');
      expect(html).toContain('tel:+15555550123');
      expect(html).not.toContain('/acknowledge');
    });

    it("shows a patient's text to the clinic's number as the text alone, with the rule that listed it", () => {
      const html = replyPage({
        reply: {
          ...REPLY,
          replyId: 'text-in-1',
          kind: 'text',
          triage: 'review',
          alertId: undefined,
          rules: ['text-message'],
          answers: { sideEffects: {}, wantsCall: false, note: 'I feel <awful>' },
          scores: {},
        },
      });
      expect(visibleText(definition(html, 'Text from the patient')).trim()).toBe('I feel <awful>');
      expect(html).toContain('I feel &lt;awful');
      expect(html).toContain('Text message, received');
      expect(html).not.toContain('Mood (0 worst, 10 best)');
    });

    it('shows an alert on a text from a number not on file with the number to call, and no session', () => {
      const text: StoredReply = {
        ...REPLY,
        replyId: 'text-in-2',
        bookingId: 'sender.abc',
        kind: 'text',
        rules: ['text-urgent-phrase'],
        answers: { sideEffects: {}, wantsCall: false, note: 'I want to kill myself' },
        scores: {},
        from: '+15550008888',
      };
      const { booking: _booking, ...withoutBooking } = detail({ replies: [text], triggers: {} });
      const html = renderPage(
        <AlertDetailPage
          viewer={VIEWER}
          clinic={CLINIC}
          detail={{ ...withoutBooking, sender: '+15550008888' }}
          now={NOW}
        />,
      );
      expect(html).toContain('<h1>Number not on file:');
      expect(html).toContain('tel:+15550008888');
      expect(visibleText(definition(html, 'Text from the patient')).trim()).toBe('I want to kill myself');
      expect(html).not.toContain('<h2>Session</h2>');
      expect(html).toContain('/acknowledge');
    });

    it('points to the alert when the reply was urgent', () => {
      const html = replyPage({ reply: REPLY });
      expect(html).toContain('<h1>Ana: check-in reply (urgent)</h1>');
      expect(html).toContain('<a href="/console/alerts/al-0001">Open the alert</a>');
    });
  });

  describe('ageText', () => {
    it('says minutes, then hours and minutes, then days', () => {
      expect(ageText(NOW, NOW)).toBe('0 min');
      expect(ageText('2026-11-04T19:00:00.000Z', NOW)).toBe('47 min');
      expect(ageText('2026-11-04T16:47:00.000Z', NOW)).toBe('3 h');
      expect(ageText('2026-11-04T16:40:00.000Z', NOW)).toBe('3 h 7 min');
      expect(ageText('2026-11-01T19:47:00.000Z', NOW)).toBe('3 days');
    });
  });

  describe('renderStaffLinkProblemPage', () => {
    it.each([
      ['invalid', 'This link does not work'],
      ['not-found', 'We could not find this page'],
    ] as const)('says plainly what went wrong and points to the console (%s)', (problem, title) => {
      const html = renderStaffLinkProblemPage({ problem });
      expect(html).toContain(`<h1>${title}</h1>`);
      expect(html).toContain('make sure someone on the care team contacts the patient');
      expect(html).toContain('href="/console/alerts"');
      expect(visibleText(html)).not.toMatch(/token|signature|hmac|error|stack|exception|\b40\d\b/i);
    });

    it('names the clinic when it is known', () => {
      const html = renderStaffLinkProblemPage({ problem: 'invalid', clinicName: 'Riverside <Clinic>' });
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

  describe('ReviewPage', () => {
    it('lists missed check-ins apart, with the patient, when it went, a phone to call and a form to mark it reviewed', () => {
      const phoneBooking = aBooking({ patient: { phone: '+15550104477' } });
      const html = renderPage(
        <ReviewPage
          viewer={VIEWER}
          clinic={CLINIC}
          items={[]}
          missed={[missedItem(phoneBooking, 'checkin-next-day', true)]}
        />,
      );
      const text = visibleText(html);
      expect(text).toContain('Review (1)');
      expect(text).toContain('Missed check-ins (1)');
      expect(text).toContain(
        `${phoneBooking.patient.firstName}: no reply to the ${checkinKindLabel('checkin-next-day')}`,
      );
      expect(text).toContain('Missed the same-day check-in too.');
      expect(html).toContain('href="tel:+15550104477"');
      expect(html).toContain(`action="/console/missed/${phoneBooking.bookingId}/checkin-next-day/reviewed"`);
      expect(html).toContain('value="csrf-token-value"');
    });
  });

  describe('text from outside', () => {
    it('shows the patient name, note and location in <bdi>, so they cannot reorder the page around them', () => {
      const html = renderPage(
        <ReviewPage
          viewer={VIEWER}
          clinic={CLINIC}
          items={[]}
          missed={[missedItem(BOOKING, 'checkin-same-day', false)]}
        />,
      );
      expect(html).toContain(`<bdi>${escapedText(BOOKING.patient.firstName)}</bdi>`);
    });
  });
});
