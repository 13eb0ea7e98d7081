import { describe, expect, it } from 'vitest';
import clinicConfig from '../../config/clinic';
import { LANGUAGES, type Language } from '../../shared/contracts/booking-events';
import {
  type ClinicConfig,
  ClinicConfigError,
  parseClinicConfig,
} from '../../shared/contracts/clinic-config';
import { MESSAGE_KINDS, type MessageKind } from '../../shared/contracts/vocabulary';
import {
  DEFAULT_API_BASE_URL,
  findSensitiveTerms,
  loadClinicConfig,
  renderSamples,
  validateClinicConfig,
  WORST_CASE_TOKEN_LENGTH,
  worstCaseLink,
  worstCaseSmsValues,
} from '../../shared/domain/messages/config-validation';
import { gsm7Units } from '../../shared/domain/messages/gsm7';
import { renderSmsText, type TemplateField } from '../../shared/domain/messages/templates';

const config = parseClinicConfig(clinicConfig);

/** A copy of the default config with one template field replaced. */
function withTemplate(
  language: Language,
  kind: MessageKind,
  field: TemplateField,
  text: string,
): ClinicConfig {
  const copy = structuredClone(config);
  copy.templates[language][kind][field] = text;
  return copy;
}

/** The errors `validateClinicConfig` throws, or [] when the config is valid. */
function errorsOf(candidate: ClinicConfig): { field: string; message: string }[] {
  try {
    validateClinicConfig(candidate);
    return [];
  } catch (error) {
    if (!(error instanceof ClinicConfigError)) throw error;
    return error.errors;
  }
}

describe('config-validation', () => {
  describe('validateClinicConfig', () => {
    it('accepts the default clinic config', () => {
      expect(errorsOf(config)).toEqual([]);
      expect(() => loadClinicConfig(clinicConfig)).not.toThrow();
    });

    it('refuses a webhook mapping the booking contract would refuse, naming its field', () => {
      const hooks = (eventTypes: Record<string, unknown>, treatments: Record<string, unknown> = {}) => {
        try {
          parseClinicConfig({ ...clinicConfig, hooks: { calcom: { eventTypes }, fhir: { treatments } } });
          return [];
        } catch (error) {
          if (!(error instanceof ClinicConfigError)) throw error;
          return error.errors.map((e) => e.field);
        }
      };
      expect(hooks({ long: { treatment: 'iv-ketamine', durationMinutes: 720 } })).toEqual([
        'hooks.calcom.eventTypes.long.durationMinutes',
      ]);
      expect(hooks({ 'a b': { treatment: 'kap' } })).toHaveLength(1);
      expect(hooks({}, { 'ket-1': 'ketamine' })).toEqual(['hooks.fhir.treatments.ket-1']);
      expect(hooks({ spravato: { treatment: 'esketamine-nasal', durationMinutes: 120 } })).toEqual([]);
    });

    it('accepts the default templates when links fall back to the API URL', () => {
      expect(errorsOf({ ...config, links: { ttlDays: 7, keyRotationDays: 90 } })).toEqual([]);
    });

    it('names the field of an unknown placeholder', () => {
      const errors = errorsOf(withTemplate('es', 'checkin-week', 'sms', '{{patientName}}: {{link}}'));
      expect(errors).toEqual([
        {
          field: 'templates.es.checkin-week.sms',
          message: expect.stringContaining('unknown placeholder {{patientName}}'),
        },
      ]);
    });

    it('names the field when a check-in SMS or body lacks {{link}}', () => {
      const noLinkSms = errorsOf(
        withTemplate('en', 'checkin-next-day', 'sms', '{{firstName}}, how are you?'),
      );
      expect(noLinkSms).toEqual([
        { field: 'templates.en.checkin-next-day.sms', message: 'must contain {{link}}' },
      ]);
      const noLinkBody = errorsOf(withTemplate('es', 'checkin-same-day', 'body', 'Hola, {{firstName}}.'));
      expect(noLinkBody).toEqual([
        { field: 'templates.es.checkin-same-day.body', message: 'must contain {{link}}' },
      ]);
    });

    it('names the field when the prep-instructions SMS lacks the instructions link', () => {
      const errors = errorsOf(withTemplate('en', 'prep-instructions', 'sms', 'See you soon, {{firstName}}'));
      expect(errors.map((error) => error.field)).toEqual(['templates.en.prep-instructions.sms']);
    });

    it('rejects {{link}} in a kind that has no link', () => {
      const errors = errorsOf(withTemplate('en', 'prep-day-of', 'sms', 'Today at {{sessionTime}}: {{link}}'));
      expect(errors).toEqual([
        {
          field: 'templates.en.prep-day-of.sms',
          message: expect.stringContaining('{{link}} is not allowed'),
        },
      ]);
    });

    it('requires the readiness question in the day-before SMS and allows it nowhere else', () => {
      const without = errorsOf(
        withTemplate(
          'en',
          'prep-reminder',
          'sms',
          'Tomorrow at {{sessionTime}}, eat by {{solidFoodCutoff}}.',
        ),
      );
      expect(without).toEqual([
        { field: 'templates.en.prep-reminder.sms', message: 'must contain {{readinessQuestion}}' },
      ]);
      const elsewhere = errorsOf(
        withTemplate('en', 'prep-day-of', 'sms', 'Today at {{sessionTime}}. {{readinessQuestion}}'),
      );
      expect(elsewhere).toEqual([
        {
          field: 'templates.en.prep-day-of.sms',
          message: expect.stringContaining('{{readinessQuestion}} is not allowed'),
        },
      ]);
    });

    it('requires the readiness form link in the day-before email', () => {
      expect(errorsOf(withTemplate('es', 'prep-reminder', 'body', 'Mañana a las {{sessionTime}}.'))).toEqual([
        { field: 'templates.es.prep-reminder.body', message: 'must contain {{link}}' },
      ]);
    });

    it('rejects location and clinician in an SMS and a link in a subject', () => {
      const sms = errorsOf(withTemplate('en', 'prep-day-of', 'sms', 'At {{sessionTime}} in {{location}}'));
      expect(sms[0]).toMatchObject({
        field: 'templates.en.prep-day-of.sms',
        message: expect.stringContaining('{{location}}'),
      });
      const subject = errorsOf(withTemplate('en', 'checkin-week', 'subject', 'Check in: {{link}}'));
      expect(subject[0]).toMatchObject({ field: 'templates.en.checkin-week.subject' });
    });

    it('reports braces that do not form a placeholder', () => {
      const errors = errorsOf(withTemplate('en', 'checkin-week', 'body', 'Hi {{firstName}, {{link}}'));
      expect(errors[0]).toMatchObject({
        field: 'templates.en.checkin-week.body',
        message: expect.stringContaining('"{{"'),
      });
    });

    it('names the field of an SMS that needs more than one segment with worst-case values', () => {
      const long =
        '{{firstName}}, {{clinicName}} here. We would love to hear how you are feeling today: {{link}}';
      const errors = errorsOf(withTemplate('en', 'checkin-same-day', 'sms', long));
      expect(errors).toEqual([
        {
          field: 'templates.en.checkin-same-day.sms',
          message: expect.stringMatching(/needs 1\d\d GSM-7 units/),
        },
      ]);
    });

    it('accepts an SMS of exactly 160 units with the longest link and rejects 161', () => {
      const room = 160 - worstCaseLink(config).length;
      expect(errorsOf(withTemplate('en', 'checkin-week', 'sms', `{{link}}${'a'.repeat(room)}`))).toEqual([]);
      const over = errorsOf(withTemplate('en', 'checkin-week', 'sms', `{{link}}${'a'.repeat(room + 1)}`));
      expect(over[0]?.message).toContain('needs 161 GSM-7 units');
    });

    it('counts the longest date and time of the year when an SMS has them', () => {
      const template = '{{sessionDate}} {{sessionTime}} {{solidFoodCutoff}}';
      const values = worstCaseSmsValues(config, 'en');
      expect(values.sessionDate).toMatch(/^Wednesday, September \d\d, 2026$/);
      expect(renderSmsText(template, values).length).toBeGreaterThan(60);
    });

    it('names the field of a subject that names a drug', () => {
      const errors = errorsOf(
        withTemplate('en', 'prep-reminder', 'subject', 'Your Ketamine session is tomorrow'),
      );
      expect(errors).toEqual([
        { field: 'templates.en.prep-reminder.subject', message: expect.stringContaining('ketamine') },
      ]);
    });

    it('finds drug and symptom words in Spanish whatever the accents and case', () => {
      const subject = errorsOf(withTemplate('es', 'prep-reminder', 'subject', 'Su sesión de ESKETAMÍNA'));
      expect(subject[0]?.field).toBe('templates.es.prep-reminder.subject');
      const sms = errorsOf(withTemplate('es', 'checkin-next-day', 'sms', '¿Tiene náuseas? {{link}}'));
      expect(sms[0]).toMatchObject({
        field: 'templates.es.checkin-next-day.sms',
        message: expect.stringContaining('nause*'),
      });
    });

    it('allows medicine names in an email body', () => {
      expect(
        errorsOf(
          withTemplate(
            'en',
            'prep-reminder',
            'body',
            '{{sessionDate}} {{sessionTime}}: no ketamine jokes {{link}}',
          ),
        ),
      ).toEqual([]);
    });

    it('names the clinic name when it reveals the treatment', () => {
      const errors = errorsOf({ ...config, clinic: { ...config.clinic, name: 'Ketamine Wellness' } });
      expect(errors.map((error) => error.field)).toContain('clinic.name');
    });

    it('names the fasting rule whose clear liquids would stop before solid food', () => {
      const fasting = { ...config.preparation.fasting, kap: { solidFoodHours: 1, clearLiquidsMinutes: 90 } };
      const errors = errorsOf({ ...config, preparation: { ...config.preparation, fasting } });
      expect(errors).toEqual([
        { field: 'preparation.fasting.kap.clearLiquidsMinutes', message: expect.any(String) },
      ]);
    });

    it('lists every problem at once when there are several', () => {
      let broken = withTemplate('en', 'checkin-week', 'sms', 'Hi {{nickname}}');
      broken = { ...broken, templates: { ...broken.templates, es: structuredClone(broken.templates.es) } };
      broken.templates.es['prep-day-of'].subject = 'Depresión: hoy a las {{sessionTime}}';
      const error = (() => {
        try {
          validateClinicConfig(broken);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ClinicConfigError);
      expect((error as ClinicConfigError).errors.map((e) => e.field)).toEqual([
        'templates.en.checkin-week.sms',
        'templates.en.checkin-week.sms',
        'templates.es.prep-day-of.subject',
      ]);
      expect((error as Error).message).toContain('templates.es.prep-day-of.subject: names a drug');
    });
  });

  describe('worstCaseLink', () => {
    it('uses the API default when no base URL is configured', () => {
      const link = worstCaseLink({ ...config, links: { ttlDays: 7, keyRotationDays: 90 } });
      expect(link).toBe(`${DEFAULT_API_BASE_URL}/c/${'x'.repeat(WORST_CASE_TOKEN_LENGTH)}`);
      expect(link).toHaveLength(95);
    });

    it('uses the configured base when it is longer than the API default', () => {
      const baseUrl = `https://${'a'.repeat(70)}.example.org/`;
      const link = worstCaseLink({ ...config, links: { ttlDays: 7, keyRotationDays: 90, baseUrl } });
      expect(link).toBe(`${baseUrl}c/${'x'.repeat(WORST_CASE_TOKEN_LENGTH)}`);
    });
  });

  describe('worstCaseSmsValues', () => {
    it.each(LANGUAGES.flatMap((language) => MESSAGE_KINDS.map((kind) => [language, kind] as const)))(
      'keeps the default %s %s SMS within one GSM-7 segment',
      (language, kind) => {
        const text = renderSmsText(
          config.templates[language][kind].sms,
          worstCaseSmsValues(config, language),
        );
        expect(text.startsWith('Maximilianus')).toBe(true);
        expect(gsm7Units(text)).toBeLessThanOrEqual(160);
      },
    );
  });

  describe('findSensitiveTerms', () => {
    it('matches whole words with any accents and case', () => {
      expect(findSensitiveTerms('Spravato® and KETAMINA')).toEqual(['ketamina', 'spravato']);
      expect(findSensitiveTerms('ketamine-assisted care')).toEqual(['ketamine']);
      expect(findSensitiveTerms('Infusión y disociación')).toEqual(['disocia*', 'infusion*']);
      expect(findSensitiveTerms('feeling depressed or suicidal')).toEqual(['depress*', 'suicid*']);
    });

    it('ignores words that merely contain a term', () => {
      expect(findSensitiveTerms('Kappa Street, Panicum Lane, Benzoni Hall')).toEqual([]);
    });
  });

  describe('renderSamples', () => {
    it('renders every kind on both channels in both languages', () => {
      const samples = renderSamples(config);
      expect(new Set(samples.map((s) => `${s.language}/${s.kind}/${s.channel}`)).size).toBe(24);
    });
  });

  describe('the clinic name in SMS and the treatment blocks', () => {
    it('asks for clinic.smsName when the name is longer than 20 characters, and then uses it in every SMS', () => {
      const long = { ...config, clinic: { ...config.clinic, name: 'Riverside Wellness Center' } };
      expect(errorsOf(long)).toContainEqual({
        field: 'clinic.smsName',
        message: expect.stringContaining('20'),
      });
      const named = { ...long, clinic: { ...long.clinic, smsName: 'Riverside' } };
      expect(errorsOf(named)).toEqual([]);
    });

    it('rejects a placeholder a treatment block may not use, naming the block', () => {
      const byTreatment = {
        ...config.preparation.byTreatment,
        kap: { en: 'Bring {{link}}', es: 'Traiga {{treatmentBlock}}' },
      };
      const errors = errorsOf({ ...config, preparation: { ...config.preparation, byTreatment } });
      expect(errors.map((error) => error.field)).toEqual([
        'preparation.byTreatment.kap.en',
        'preparation.byTreatment.kap.es',
      ]);
    });
  });

  describe('links.baseUrl', () => {
    it('must be https, except plain http on loopback', () => {
      const withBase = (baseUrl: string) => ({ ...config, links: { ...config.links, baseUrl } });
      expect(() => parseClinicConfig(withBase('http://care.example-clinic.org'))).toThrow(
        /links.baseUrl: must be https/,
      );
      expect(parseClinicConfig(withBase('https://c.example.org')).links.baseUrl).toBe(
        'https://c.example.org',
      );
      expect(parseClinicConfig(withBase('http://127.0.0.1:3000')).links.baseUrl).toBe(
        'http://127.0.0.1:3000',
      );
    });
  });
});

describe('publishers', () => {
  const fieldsOf = (publishers: unknown) => {
    try {
      loadClinicConfig({ ...clinicConfig, publishers });
      return [];
    } catch (error) {
      if (!(error instanceof ClinicConfigError)) throw error;
      return error.errors.map((e) => e.field);
    }
  };

  it('takes role ARNs and a booking system account with its external id', () => {
    expect(
      fieldsOf({
        principals: ['arn:aws:iam::210987654321:role/booking-system'],
        publisherAccount: '210987654321',
        publisherExternalId: 'clinic-7f3a9c2e51d04b8a',
      }),
    ).toEqual([]);
    expect(parseClinicConfig(clinicConfig).publishers).toEqual({ principals: [] });
  });

  it('names the field of an account without an external id, a short external id, or a principal that is no ARN', () => {
    expect(fieldsOf({ publisherAccount: '210987654321' })).toEqual(['publishers.publisherExternalId']);
    expect(fieldsOf({ publisherAccount: '210987654321', publisherExternalId: 'short' })).toEqual([
      'publishers.publisherExternalId',
    ]);
    expect(fieldsOf({ principals: ['*'] })).toEqual(['publishers.principals.0']);
  });
});

describe('links.keyRotationDays', () => {
  it('defaults to 90 days and refuses a period shorter than a link lives', () => {
    expect(parseClinicConfig(clinicConfig).links.keyRotationDays).toBe(90);
    expect(() => loadClinicConfig({ ...clinicConfig, links: { ttlDays: 14, keyRotationDays: 7 } })).toThrow(
      /links\.keyRotationDays: must be at least links\.ttlDays/,
    );
  });

  describe('sms', () => {
    it('defaults to a 5-cent cap and a 6-hour time to live, and names each bad field', () => {
      expect(config.sms).toEqual({
        numberType: 'toll-free',
        perPatientPerDay: 3,
        maxPrice: '0.05',
        timeToLiveMinutes: 360,
      });
      const withSms = (sms: unknown) => ({ ...config, sms });
      expect(() => parseClinicConfig(withSms({ maxPrice: '5 cents' }))).toThrow(
        /sms.maxPrice: must be US dollars/,
      );
      expect(() => parseClinicConfig(withSms({ timeToLiveMinutes: 2 }))).toThrow(/sms.timeToLiveMinutes/);
      expect(() => parseClinicConfig(withSms({ originationIdentity: '+18005550100' }))).toThrow(
        /sms.originationIdentity: must be a phone number id or pool id/,
      );
      const arn = 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef';
      expect(parseClinicConfig(withSms({ originationIdentity: arn })).sms.originationIdentity).toBe(arn);
    });
  });
});
