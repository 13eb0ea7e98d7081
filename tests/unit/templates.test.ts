import fc from 'fast-check';
import { DateTime, FixedOffsetZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import clinicConfig from '../../config/clinic';
import { type FullBooking, fullBookingSchema, type Language } from '../../shared/contracts/booking-events';
import { type ClinicConfig, parseClinicConfig } from '../../shared/contracts/clinic-config';
import { MESSAGE_KINDS } from '../../shared/contracts/vocabulary';
import {
  findSensitiveTerms,
  renderSamples,
  type SampleOverrides,
  sampleBooking,
  worstCaseLink,
} from '../../shared/domain/messages/config-validation';
import { gsm7Units, isSingleGsm7Segment } from '../../shared/domain/messages/gsm7';
import {
  fillTemplate,
  formatSessionDay,
  formatZoneLabel,
  LINKED_KINDS,
  placeholderValues,
  renderEmail,
  renderMessage,
  renderSms,
  smsFirstName,
  TemplateRenderError,
} from '../../shared/domain/messages/templates';
import { escapedText } from '../support/html';

const config = parseClinicConfig(clinicConfig);
const LINK = 'https://care.example-clinic.org/c/AbCdEfGhIjKlMnOpQrStUvWxYz0123456';

/** A sample booking (Wed 18 March 2026, 9:30 EDT, IV), validated by the contract's schema. */
function booking(language: Language, overrides: SampleOverrides = {}): FullBooking {
  return fullBookingSchema.parse(sampleBooking(config, language, overrides));
}

function withClinic(patch: Partial<ClinicConfig['clinic']>): ClinicConfig {
  return { ...config, clinic: { ...config.clinic, ...patch } };
}

const samples = renderSamples(config, { link: worstCaseLink(config) });
const combos = samples.map((sample) => [sample.language, sample.kind, sample.channel, sample] as const);

describe('templates', () => {
  describe('renderMessage', () => {
    it('renders all 24 kind x channel x language combinations of the default config', () => {
      expect(samples).toHaveLength(MESSAGE_KINDS.length * 2 * 2);
    });

    it.each(combos)('leaves no placeholder when rendering %s %s %s', (_language, _kind, _channel, sample) => {
      const texts =
        sample.channel === 'email'
          ? [sample.message.subject, sample.message.text, sample.message.html]
          : [sample.message.text];
      for (const text of texts) expect(text).not.toMatch(/\{\{|\}\}/);
    });

    it.each(combos.filter(([, , channel]) => channel === 'sms'))(
      'keeps the %s %s SMS in one GSM-7 segment with the longest default link',
      (_language, kind, _channel, sample) => {
        expect(isSingleGsm7Segment(sample.message.text)).toBe(true);
        // The day-before text carries the readiness question instead of a link (its email links to the form).
        if ((LINKED_KINDS as readonly string[]).includes(kind) && kind !== 'prep-reminder')
          expect(sample.message.text).toContain(worstCaseLink(config));
      },
    );

    it.each(combos)(
      'names no drug, diagnosis or symptom in the %s %s %s subject or SMS',
      (_language, _kind, _channel, sample) => {
        const exposed = sample.channel === 'email' ? sample.message.subject : sample.message.text;
        expect(findSensitiveTerms(exposed)).toEqual([]);
      },
    );

    it.each(combos.filter(([, kind, channel]) => channel === 'email' && kind.startsWith('checkin')))(
      'links the %s %s email to the check-in form',
      (_language, _kind, _channel, sample) => {
        if (sample.channel !== 'email') throw new Error('unreachable');
        expect(sample.message.text).toContain(worstCaseLink(config));
        expect(sample.message.html).toContain(`<a href="${worstCaseLink(config)}"`);
      },
    );

    it('returns an email or an SMS according to the channel', () => {
      const input = { config, kind: 'checkin-next-day' as const, booking: booking('en'), link: LINK };
      expect(renderMessage({ ...input, channel: 'email' })).toHaveProperty('subject');
      expect(renderMessage({ ...input, channel: 'sms' })).toMatchObject({ channel: 'sms' });
    });
  });

  describe('renderEmail', () => {
    const hostile = booking('en', {
      session: {
        location: '<script>alert(1)</script> Room 2',
        clinicianName: '"><img src=x onerror=alert(1)>',
      },
      patient: { firstName: '<b>Eve</b>' },
    });

    it('escapes patient-supplied values in the HTML when they contain markup', () => {
      const { html } = renderEmail({ config, kind: 'prep-instructions', booking: hostile, link: LINK });
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<b>');
      expect(html).toContain(escapedText('<script>alert(1)</script> Room 2'));
      expect(html).toContain(escapedText('"><img src=x onerror=alert(1)>'));
    });

    it('keeps patient-supplied values verbatim in the plain-text part', () => {
      const { text } = renderEmail({ config, kind: 'prep-instructions', booking: hostile, link: LINK });
      expect(text).toContain('at <script>alert(1)</script> Room 2, with "><img src=x onerror=alert(1)>.');
    });

    it('never turns a patient-supplied URL into a link', () => {
      const phishing = booking('en', { session: { location: 'https://evil.example/login' } });
      const { html } = renderEmail({ config, kind: 'prep-instructions', booking: phishing, link: LINK });
      expect(html).toContain('https://evil.example/login');
      expect(html).not.toContain('href="https://evil.example');
    });

    it('renders the link as an anchor with an escaped href when the link has special characters', () => {
      const link = 'https://care.example-clinic.org/c/a?b=1&c="x"';
      const { html } = renderEmail({ config, kind: 'checkin-same-day', booking: booking('en'), link });
      expect(html).toContain(`<a href="${escapedText(link)}" style="color:#0b5394">${escapedText(link)}</a>`);
    });

    it('builds a document with the language, paragraphs, lists and a tel: link', () => {
      const { html, subject } = renderEmail({ config, kind: 'prep-instructions', booking: booking('es') });
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="es">/);
      expect(html).toContain(`<title>${subject}</title>`);
      expect(html).toContain('<p style="margin:0 0 16px">Hola, Ramón:</p>');
      expect(html).toMatch(/<ul[^>]*><li>Una identificación con foto<\/li>/);
      expect(html).toContain('<a href="tel:+15550100100" style="color:#0b5394">+1 555 010 0100</a>');
    });

    it('collapses line breaks in the subject when the first name has them', () => {
      const injected = booking('en', { patient: { firstName: 'Ann\r\nBcc: x@example.org' } });
      const { subject } = renderEmail({ config, kind: 'prep-instructions', booking: injected });
      expect(subject).toBe('Ann Bcc: x@example.org, how to prepare for your appointment at Riverside Clinic');
    });

    it('gives the full fasting, ride, alcohol, medicine and crisis instructions in the prep-instructions email', () => {
      const { text } = renderEmail({ config, kind: 'prep-instructions', booking: booking('en') });
      expect(text).toContain('No solid food after 3:30 AM (6 hours before your session).');
      expect(text).toContain('until 7:30 AM (2 hours before your session)');
      expect(text).toContain("for at least 24 hours, and not before a full night's sleep");
      expect(text).toContain('lamotrigine, MAOIs, stimulants');
      expect(text).toContain('opioids (strong pain medicines), sleep medicines, or cannabis');
      expect(text).toContain(
        'Take your usual morning medicines with a small sip of water, unless we tell you otherwise.',
      );
      expect(text).toContain('do not take opioids, benzodiazepines or sleep aids for 4 hours');
      expect(text).toContain('call or text 988');
      expect(text).toContain('call 911');
    });

    it('carries the IV, IM and KAP block for those treatments and for other, and the nasal spray block for esketamine', () => {
      const textFor = (treatment: FullBooking['session']['treatment'], language: 'en' | 'es' = 'en') =>
        renderEmail({
          config,
          kind: 'prep-instructions',
          booking: booking(language, { session: { treatment } }),
        }).text;
      for (const treatment of ['iv-ketamine', 'im-ketamine', 'kap', 'other'] as const) {
        const text = textFor(treatment);
        expect(text, treatment).toContain(
          'Do not make important decisions or sign legal papers for 24 hours.',
        );
        expect(text, treatment).toContain('sleeves that roll up above the elbow');
        expect(text, treatment).not.toContain('blood pressure before your dose');
      }
      expect(textFor('iv-ketamine')).toMatch(
        /for about \d+ hours?( and \d+ minutes)?: your session and about an hour of recovery/,
      );
      const spray = textFor('esketamine-nasal');
      expect(spray).toContain('at least 2 hours after your dose');
      expect(spray).toContain('blood pressure before your dose and again about 40 minutes after it');
      expect(spray).toContain('nasal steroid or decongestant spray, use it at least 1 hour before');
      expect(spray).toContain("until the next day, after a restful night's sleep");
      expect(spray).not.toContain('legal papers');
      expect(textFor('esketamine-nasal', 'es')).toContain('unos 40 minutos después');
      expect(textFor('kap', 'es')).toContain('firme documentos legales');
    });

    it('says the weekday once in the reminder ("on Thursday, March 12", never "Thursday, Thursday")', () => {
      for (const language of ['en', 'es'] as const) {
        for (const sentDaysBefore of [1, 2, 3]) {
          const b = booking(language);
          const now = DateTime.fromISO(b.session.startsAt).minus({ days: sentDaysBefore }).toISO() ?? '';
          const { text } = renderEmail({ config, kind: 'prep-reminder', booking: b, now, link: LINK });
          const weekday = language === 'en' ? 'Wednesday' : 'miércoles';
          expect(text.split(weekday).length - 1, `${language} ${sentDaysBefore}`).toBe(1);
        }
      }
    });
  });

  describe('renderSms', () => {
    it('transliterates the first name when it has accents GSM-7 lacks', () => {
      const { text } = renderSms({ config, kind: 'checkin-same-day', booking: booking('es'), link: LINK });
      expect(text).toMatch(/^Ramon, Riverside Clinic: ¿qué tal se siente\? https:/);
      expect(gsm7Units(text)).toBeDefined();
    });

    it('shortens a long first name to 12 characters', () => {
      const long = booking('en', { patient: { firstName: 'Maximiliano Alejandro' } });
      const { text } = renderSms({ config, kind: 'checkin-same-day', booking: long, link: LINK });
      expect(text.startsWith('Maximiliano, ')).toBe(true);
    });

    it('transliterates the whole text when the clinic name has accents', () => {
      const { text } = renderSms({
        config: withClinic({ name: 'Clínica Río' }),
        kind: 'prep-reminder',
        booking: booking('es'),
      });
      expect(text).toBe(
        'Ramon, Clinica Rio: cita mañana, 9:30 a.m. EDT. Desde las 3:30 a.m., nada solido. Transporte listo? Responda SI o NO',
      );
    });

    it('names the clinic by clinic.smsName in SMS, and by its full name in email', () => {
      const named = {
        ...config,
        clinic: { ...config.clinic, name: 'Riverside Wellness Center', smsName: 'Riverside' },
      };
      const sms = renderSms({ config: named, kind: 'checkin-same-day', booking: booking('en'), link: LINK });
      expect(sms.text).toMatch(/^Alex, Riverside here\./);
      const email = renderEmail({
        config: named,
        kind: 'checkin-same-day',
        booking: booking('en'),
        link: LINK,
      });
      expect(email.text).toContain('Riverside Wellness Center');
    });

    it('carries the solid-food cutoff in the day-before SMS', () => {
      const { text } = renderSms({ config, kind: 'prep-reminder', booking: booking('en') });
      expect(text).toContain('No solid food after 3:30 AM.');
    });

    it('throws TemplateRenderError when the template has {{link}} and no link is given', () => {
      expect(() => renderSms({ config, kind: 'checkin-week', booking: booking('en') })).toThrow(
        TemplateRenderError,
      );
    });
  });

  describe('smsFirstName', () => {
    it('counts extension characters twice when shortening', () => {
      expect(smsFirstName('[[[[[[[[')).toBe('[[[[[[');
    });

    it('keeps GSM-7 letters such as ñ and é', () => {
      expect(smsFirstName('Iñés')).toBe('Iñés');
    });
  });

  describe('placeholderValues', () => {
    it('gives dates and times in the patient zone when it differs from the session zone', () => {
      const values = placeholderValues({
        config,
        booking: booking('en', { patient: { timeZone: 'America/Los_Angeles' } }),
      });
      expect(values.sessionDate).toBe('Wednesday, March 18, 2026');
      expect(values.sessionTime).toBe('6:30 AM PDT');
    });

    it('localizes the date and time in Spanish', () => {
      const values = placeholderValues({ config, booking: booking('es') });
      expect(values.sessionDate).toBe('miércoles, 18 de marzo de 2026');
      // es-US: "9:30 a.m.", never the 24-hour clock (DESIGN section 7).
      expect(values.sessionTime).toBe('9:30 a.m. EDT');
      expect(values.solidFoodHours).toBe('6 horas');
      expect(values.clearLiquidsTime).toBe('2 horas');
    });

    it('computes shorter fasting for esketamine than for IV ketamine', () => {
      const iv = placeholderValues({ config, booking: booking('en') });
      const nasal = placeholderValues({
        config,
        booking: booking('en', { session: { treatment: 'esketamine-nasal' } }),
      });
      expect([iv.solidFoodCutoff, iv.clearLiquidsCutoff]).toEqual(['3:30 AM', '7:30 AM']);
      expect([nasal.solidFoodCutoff, nasal.clearLiquidsCutoff]).toEqual(['7:30 AM', '9:00 AM']);
      expect([nasal.solidFoodHours, nasal.clearLiquidsTime]).toEqual(['2 hours', '30 minutes']);
    });

    it('names the weekday when the cutoff falls on the day before', () => {
      const early = { session: { startsAt: '2026-03-18T05:00:00-04:00' } };
      expect(placeholderValues({ config, booking: booking('en', early) }).solidFoodCutoff).toBe(
        '11:00 PM on Tuesday',
      );
      expect(placeholderValues({ config, booking: booking('es', early) }).solidFoodCutoff).toBe(
        '11:00 p.m. del martes',
      );
    });

    it('words fractional fasting hours as hours and minutes', () => {
      const fasting = { default: { solidFoodHours: 1.5, clearLiquidsMinutes: 45 } };
      const values = placeholderValues({
        config: { ...config, preparation: { ...config.preparation, fasting } },
        booking: booking('en'),
      });
      expect(values.solidFoodHours).toBe('1 hour and 30 minutes');
      expect(values.solidFoodCutoff).toBe('8:00 AM');
    });

    it('falls back to the clinic address, then "the clinic", when the booking has no location', () => {
      const noLocation = booking('en', { session: { location: undefined, clinicianName: undefined } });
      expect(placeholderValues({ config, booking: noLocation }).location).toBe(config.clinic.address);
      const bare = withClinic({ address: undefined });
      expect(placeholderValues({ config: bare, booking: noLocation })).toMatchObject({
        location: 'the clinic',
        clinicianName: 'your care team',
      });
      const spanish = booking('es', { session: { location: undefined, clinicianName: undefined } });
      expect(placeholderValues({ config: bare, booking: spanish })).toMatchObject({
        location: 'la clínica',
        clinicianName: 'su equipo de atención',
      });
    });
  });

  describe('fillTemplate', () => {
    const values = placeholderValues({ config, booking: booking('en'), link: LINK });

    it('tolerates spaces inside the braces', () => {
      expect(fillTemplate('Hi {{ firstName }}!', values)).toBe('Hi Alex!');
    });

    it('throws TemplateRenderError for an unknown placeholder', () => {
      expect(() => fillTemplate('Hi {{patientName}}', values)).toThrow(
        /unknown placeholder \{\{patientName\}\}/,
      );
    });
  });

  describe('zone labels and session days (cached formatters against Luxon itself)', () => {
    const zones = [
      'America/New_York',
      'America/Phoenix',
      'America/Los_Angeles',
      'Europe/Madrid',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'America/Santiago',
      'UTC',
    ];
    // 2024-2027, so US and EU DST changes are crossed many times.
    const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) });
    const zone = fc.oneof(
      fc.constantFrom(...zones),
      fc.integer({ min: -12 * 60, max: 14 * 60 }).map((minutes) => FixedOffsetZone.instance(minutes)),
    );
    const language = fc.constantFrom<Language>('en', 'es');

    /** What Luxon's own `offsetNameShort` answers, with the same en-US fallback for a bare GMT offset. */
    function luxonLabel(at: DateTime, lang: Language): string {
      const own = at.setLocale(lang === 'en' ? 'en-US' : 'es').offsetNameShort ?? '';
      if (!/^(GMT|UTC)[+\-−]/.test(own)) return own;
      const english = at.setLocale('en-US').offsetNameShort ?? '';
      return /^(GMT|UTC)[+\-−]/.test(english) ? own : english;
    }

    it('labels a zone as Luxon does, in both languages, across DST changes and for fixed offsets', () => {
      fc.assert(
        fc.property(instant, zone, language, (ms, z, lang) => {
          const at = DateTime.fromMillis(ms).setZone(z);
          expect(formatZoneLabel(at, lang)).toBe(luxonLabel(at, lang));
        }),
        { numRuns: 2000 },
      );
    });

    it('says today / tomorrow by calendar days in the session zone, whatever zone the send time is in', () => {
      fc.assert(
        fc.property(
          instant,
          fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }),
          fc.constantFrom(...zones),
          fc.constantFrom(...zones),
          language,
          (ms, minutesBefore, sessionZone, sendZone, lang) => {
            const start = DateTime.fromMillis(ms).setZone(sessionZone);
            const sentAt = DateTime.fromMillis(ms - minutesBefore * 60_000).setZone(sendZone);
            const days = Math.round(
              start.startOf('day').diff(sentAt.setZone(sessionZone).startOf('day'), 'days').days,
            );
            const text = formatSessionDay(start, sentAt, lang);
            if (days === 0) expect(text).toBe(lang === 'en' ? 'today' : 'hoy');
            else if (days === 1) expect(text).toBe(lang === 'en' ? 'tomorrow' : 'mañana');
            else expect(text).toMatch(lang === 'en' ? /^on [A-Z][a-z]+day$/ : /^el \p{Ll}+$/u);
          },
        ),
        { numRuns: 2000 },
      );
    });
  });
});
