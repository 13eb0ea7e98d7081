import type { Language } from '../../contracts/booking-events';

/** One place a patient can get help now (DESIGN section 7, `crisisResources`). */
export interface CrisisResource {
  /** What it is and how to use it, in the patient's language. */
  label: string;
  /** A number to call, as it should be shown. */
  phone?: string;
  /** A number to text. */
  sms?: string;
  url?: string;
}

/** The 988 Suicide & Crisis Lifeline's website (chat, and information in English and Spanish). */
export const LIFELINE_URL = 'https://988lifeline.org';

/** Each resource's label, in the words of the JSON answer and the crisis page. */
const LABELS: Readonly<
  Record<Language, { emergency: string; lifeline: string; clinic: (clinicName: string) => string }>
> = {
  en: {
    emergency: 'If you are in danger now, or in an emergency: call 911',
    lifeline: '988 Suicide & Crisis Lifeline: call or text 988',
    clinic: (clinicName) => `Call ${clinicName}`,
  },
  es: {
    emergency: 'Si está en peligro ahora o en una emergencia: llame al 911',
    lifeline:
      'Línea 988 de Prevención del Suicidio y Crisis: llame o envíe un mensaje de texto al 988 (para español, oprima 2)',
    clinic: (clinicName) => `Llame a ${clinicName}`,
  },
};

/**
 * The crisis resources shown after an urgent answer, most urgent first:
 * 911 (emergency), 988 (call or text; Suicide & Crisis Lifeline), then the
 * clinic's own phone. 911 and 988 are always present, whatever the config.
 */
export function crisisResources(
  language: Language,
  clinic: { readonly name: string; readonly phone: string },
): CrisisResource[] {
  const labels = LABELS[language];
  return [
    { label: labels.emergency, phone: '911' },
    { label: labels.lifeline, phone: '988', sms: '988', url: LIFELINE_URL },
    { label: labels.clinic(clinic.name), phone: clinic.phone },
  ];
}

/** A `tel:` URL for a phone number as people write it ("(555) 010-0199" -> "tel:5550100199"). */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

/** An `sms:` URL for a number that takes texts. */
export function smsHref(phone: string): string {
  return `sms:${phone.replace(/[^\d+]/g, '')}`;
}
