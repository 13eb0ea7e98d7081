import { describe, expect, it } from 'vitest';
import { SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import {
  type DigestItem,
  type DigestScores,
  type ReviewDigestInput,
  renderReviewDigest,
} from '../../shared/domain/alerts/review-digest';
import type { StoredReply } from '../../shared/domain/ports';
import { t } from '../../shared/web/i18n';
import { aBooking } from '../support/fixtures';
import { escapedText } from '../support/html';

const CLINIC = { name: 'Riverside Clinic', timeZone: 'America/New_York' } as const;
const BOOKING = aBooking({ patient: { firstName: 'Ana' } });
const NOTE = 'I have felt really low since Tuesday';

/** Review replies of the day before Thu 26 Nov 2026, as stored (with answers and a note). */
const LATE: StoredReply = {
  replyId: 'rp-2',
  bookingId: 'bk-0002',
  kind: 'checkin-week',
  receivedAt: '2026-11-25T20:00:00.000Z',
  answers: { mood: 2, sideEffects: { fatigue: 'moderate' }, selfHarm: 'no', wantsCall: false, note: NOTE },
  triage: 'review',
  rules: ['effect-moderate', 'low-mood'],
  scores: {},
};

const EARLY: StoredReply = {
  replyId: 'rp-1',
  bookingId: BOOKING.bookingId,
  kind: 'checkin-same-day',
  receivedAt: '2026-11-25T13:00:00.000Z',
  answers: { mood: 6, sideEffects: { nausea: 'moderate' }, selfHarm: 'no', wantsCall: false },
  triage: 'review',
  rules: ['effect-moderate'],
  scores: {},
};

/** What the digest use case hands the renderer: ids, kinds, times, totals and links, nothing else. */
function itemOf(reply: StoredReply): DigestItem {
  return {
    id: reply.replyId,
    bookingId: reply.bookingId,
    kind: reply.kind,
    at: reply.receivedAt,
    link: `https://staff.example.org/r/${reply.replyId}?s=a&t=b`,
  };
}

const REVIEWS = [LATE, EARLY].map(itemOf);
const CALL: DigestItem = {
  ...itemOf(EARLY),
  id: 'rp-3',
  bookingId: 'bk-0003',
  link: 'https://staff.example.org/r/rp-3',
};
const SCORES: DigestItem & DigestScores = {
  ...itemOf(LATE),
  id: 'rp-4',
  bookingId: 'bk-0004',
  link: 'https://staff.example.org/r/rp-4',
  phq9: { total: 16, band: 'moderately severe', change: 5 },
  gad7: { total: 9, band: 'mild' },
  note: 'flagged for review',
};
const MISSED: DigestItem = {
  id: 'missed-bk-0005-checkin-next-day',
  bookingId: 'bk-0005',
  kind: 'checkin-next-day',
  at: '2026-11-24T15:00:00.000Z',
  link: 'https://staff.example.org/console/review',
  note: 'missed the same-day check-in too: review',
};

function digest(parts: Partial<Omit<ReviewDigestInput, 'clinic' | 'date'>> = {}) {
  return renderReviewDigest({
    clinic: CLINIC,
    date: '2026-11-26',
    calls: [CALL],
    scores: [SCORES],
    reviews: REVIEWS,
    missed: [MISSED],
    ...parts,
  });
}

describe('review digest', () => {
  describe('renderReviewDigest', () => {
    it('counts every entry and names the clinic and day in the subject', () => {
      expect(digest().subject).toBe('Check-ins to follow up: 5 (Riverside Clinic, Thu 26 Nov)');
    });

    it('lists call requests, totals, replies to review and missed check-ins apart, each oldest first', () => {
      const { text } = digest();
      const order = [
        'Call requests (1)',
        'PHQ-9 and GAD-7 totals (1)',
        'Replies to review (2)',
        'Missed check-ins (1)',
      ];
      const at = order.map((heading) => text.indexOf(heading));
      expect(at.every((index) => index >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(text).toContain(
        [
          '1. Booking bk-0001, same-day check-in',
          '   Received Wed 25 Nov, 8:00 AM EST',
          '   https://staff.example.org/r/rp-1?s=a&t=b',
          '',
          '2. Booking bk-0002, one-week check-in',
          '   Received Wed 25 Nov, 3:00 PM EST',
          '   https://staff.example.org/r/rp-2?s=a&t=b',
        ].join('\n'),
      );
      expect(text).toContain('5 items to follow up at Riverside Clinic, Thursday 26 November 2026');
    });

    it('gives each week check-in its PHQ-9 and GAD-7 totals with the change from the first score', () => {
      const { text, html } = digest();
      expect(text).toContain('PHQ-9 16 of 27 (moderately severe), +5 from the first');
      expect(text).toContain('GAD-7 9 of 21 (mild), first score');
      expect(html).toContain('PHQ-9 16 of 27 (moderately severe), +5 from the first');
      const dropped = digest({ scores: [{ ...SCORES, phq9: { total: 8, band: 'mild', change: -8 } }] });
      expect(dropped.text).toContain('PHQ-9 8 of 27 (mild), -8 from the first');
    });

    it('says when a patient missed both early check-ins', () => {
      expect(digest().text).toContain('missed the same-day check-in too: review');
    });

    it('links every entry in the HTML, escaped, with link text that says where it goes', () => {
      const { html } = digest();
      for (const item of [...REVIEWS, CALL, SCORES, MISSED]) {
        expect(html).toContain(`href="${escapedText(item.link)}"`);
      }
      expect(html).toMatch(/<a href="[^"]*rp-1[^"]*"[^>]*>Booking bk-0001, same-day check-in<\/a>/);
      expect(html.match(/<li /g)).toHaveLength(5);
      expect(html.match(/<h2 /g)).toHaveLength(4);
    });

    it('is an accessible English HTML document', () => {
      const { html, subject } = digest();
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(html).toContain(`<title>${subject}</title>`);
      expect(html.match(/<h1 /g)).toHaveLength(1);
      expect(html).not.toMatch(/<script|<img/i);
    });

    it('holds no answers, no rule ids and no patient names, in the subject, text or HTML', () => {
      const forbidden = [
        BOOKING.patient.firstName,
        NOTE,
        ...SIDE_EFFECTS.map((effect) => t('en', `sideEffect.${effect}`)),
        ...LATE.rules,
        'Rules',
        'Moderate',
        'Mood',
      ];
      for (const part of Object.values(digest())) {
        for (const word of forbidden) expect(part).not.toContain(word);
      }
    });

    it('escapes the clinic name and links in the HTML', () => {
      const { html, subject } = digest({
        reviews: [{ ...itemOf(EARLY), link: 'https://x.example/r/1"><script>alert(1)</script>' }],
        calls: [],
        scores: [],
        missed: [],
        ...{},
      });
      const named = renderReviewDigest({
        clinic: { name: 'A&B <Clinic>', timeZone: CLINIC.timeZone },
        date: '2026-11-26',
        calls: [],
        scores: [],
        reviews: REVIEWS,
        missed: [],
      });
      expect(html).not.toContain('<script>');
      expect(named.html).not.toContain('<Clinic>');
      expect(html).toContain(`href="${escapedText('https://x.example/r/1"><script>alert(1)</script>')}"`);
      expect(named.html).toContain(escapedText('A&B <Clinic>, Thursday 26 November 2026'));
      expect(subject).toBe('Check-ins to follow up: 1 (Riverside Clinic, Thu 26 Nov)');
    });

    it('keeps the subject on one line', () => {
      const { subject } = renderReviewDigest({
        clinic: { name: 'Riverside\nClinic', timeZone: CLINIC.timeZone },
        date: '2026-11-26',
        calls: [],
        scores: [],
        reviews: REVIEWS,
        missed: [],
      });
      expect(subject).toBe('Check-ins to follow up: 2 (Riverside Clinic, Thu 26 Nov)');
    });

    it('renders a one-entry digest in the singular, with only its section', () => {
      const one = digest({ calls: [], scores: [], reviews: REVIEWS.slice(0, 1), missed: [] });
      expect(one.text).toMatch(/^1 item to follow up at /);
      expect(one.html.match(/<h2 /g)).toHaveLength(1);
    });
  });
});
