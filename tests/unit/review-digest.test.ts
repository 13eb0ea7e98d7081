import { describe, expect, it } from 'vitest';
import { SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import { type ReviewDigestItem, renderReviewDigest } from '../../shared/domain/alerts/review-digest';
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

const REPLIES = [LATE, EARLY];

/** What a digest use case would hand the renderer: ids, kinds, times, rules and links, nothing else. */
function itemOf(reply: StoredReply): ReviewDigestItem {
  return {
    replyId: reply.replyId,
    bookingId: reply.bookingId,
    replyKind: reply.kind,
    receivedAt: reply.receivedAt,
    rules: reply.rules,
    link: `https://staff.example.org/r/${reply.replyId}?s=a&t=b`,
  };
}

const ITEMS = REPLIES.map(itemOf);

function digest(items: readonly ReviewDigestItem[] = ITEMS) {
  return renderReviewDigest({ clinic: CLINIC, date: '2026-11-26', items });
}

describe('review digest', () => {
  describe('renderReviewDigest', () => {
    it('counts the replies and names the clinic and day in the subject', () => {
      expect(digest().subject).toBe('Check-in replies to review: 2 (Riverside Clinic, Thu 26 Nov)');
    });

    it('lists every reply in the text, oldest first, with booking, check-in, time, rules and link', () => {
      const { text } = digest();
      expect(text).toContain(
        [
          '1. Booking bk-0001, same-day check-in, received Wed 25 Nov, 8:00 AM EST',
          '   Rules: effect-moderate',
          '   https://staff.example.org/r/rp-1?s=a&t=b',
          '',
          '2. Booking bk-0002, one-week check-in, received Wed 25 Nov, 3:00 PM EST',
          '   Rules: effect-moderate, low-mood',
          '   https://staff.example.org/r/rp-2?s=a&t=b',
        ].join('\n'),
      );
      expect(text).toContain('2 check-in replies to review at Riverside Clinic, Thursday 26 November 2026');
    });

    it('links every reply in the HTML, escaped, with link text that says where it goes', () => {
      const { html } = digest();
      for (const item of ITEMS) {
        expect(html).toContain(`href="${escapedText(item.link)}"`);
      }
      expect(html).toMatch(/<a href="[^"]*rp-1[^"]*"[^>]*>Booking bk-0001, same-day check-in<\/a>/);
      expect(html).toContain('Received Wed 25 Nov, 3:00 PM EST<br/>');
      expect(html).toContain('Rules: effect-moderate, low-mood');
      expect(html.match(/<li /g)).toHaveLength(2);
    });

    it('is an accessible English HTML document', () => {
      const { html, subject } = digest();
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(html).toContain(`<title>${subject}</title>`);
      expect(html.match(/<h1 /g)).toHaveLength(1);
      expect(html).toContain('<ol ');
      expect(html).not.toMatch(/<script|<img/i);
    });

    it('holds no answers and no patient names, in the subject, text or HTML', () => {
      const forbidden = [
        BOOKING.patient.firstName,
        NOTE,
        ...SIDE_EFFECTS.map((effect) => t('en', `sideEffect.${effect}`)),
        'Moderate',
        'Mood',
      ];
      for (const part of Object.values(digest())) {
        for (const word of forbidden) expect(part).not.toContain(word);
      }
    });

    it('escapes the clinic name, rule ids and links in the HTML', () => {
      const { html, subject } = renderReviewDigest({
        clinic: { name: 'A&B <Clinic>', timeZone: CLINIC.timeZone },
        date: '2026-11-26',
        items: [
          {
            ...itemOf(EARLY),
            rules: ['<b>rule</b>'],
            link: 'https://x.example/r/1"><script>alert(1)</script>',
          },
        ],
      });
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<b>rule');
      expect(html).not.toContain('<Clinic>');
      expect(html).toContain(`href="${escapedText('https://x.example/r/1"><script>alert(1)</script>')}"`);
      expect(html).toContain(escapedText('A&B <Clinic>, Thursday 26 November 2026'));
      expect(subject).toBe('Check-in replies to review: 1 (A&B <Clinic>, Thu 26 Nov)');
    });

    it('keeps the subject on one line', () => {
      const { subject } = renderReviewDigest({
        clinic: { name: 'Riverside\nClinic', timeZone: CLINIC.timeZone },
        date: '2026-11-26',
        items: ITEMS,
      });
      expect(subject).toBe('Check-in replies to review: 2 (Riverside Clinic, Thu 26 Nov)');
    });

    it('renders a one-reply digest in the singular, and an empty one plainly', () => {
      expect(digest(ITEMS.slice(0, 1)).text).toMatch(/^1 check-in reply to review at /);
      const empty = digest([]);
      expect(empty.subject).toBe('Check-in replies to review: 0 (Riverside Clinic, Thu 26 Nov)');
      expect(empty.text).toContain('No replies to review.');
      expect(empty.html).toContain('No replies to review.');
      expect(empty.html).not.toContain('<ol');
    });
  });
});
