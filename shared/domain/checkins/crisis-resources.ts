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

/** The 988 Lifeline's websites (chat, and information): English, and Spanish. */
export const LIFELINE_URL = 'https://988lifeline.org';
export const LIFELINE_URL_ES = 'https://988lineadevida.org';

/** Each resource's label, in the words of the JSON answer and the urgent pages. */
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
      'Línea 988 de Prevención del Suicidio y Crisis: llame al 988 y oprima 2, o envíe AYUDA por mensaje de texto al 988',
    clinic: (clinicName) => `Llame a ${clinicName}`,
  },
};

/**
 * The crisis resources shown after an urgent answer, in the order the
 * advice puts them (DESIGN section 7): `emergency`, or `crisis` when the
 * patient may act now (or did not say), leads with 911; `crisis` otherwise
 * with 988; `call-us` with the clinic. 911 and 988 are always present,
 * whatever the config.
 */
export function crisisResources(
  language: Language,
  clinic: { readonly name: string; readonly phone: string },
  advice: 'emergency' | 'crisis' | 'call-us' = 'crisis',
  actingNow: 'yes' | 'no' | 'unknown' = 'unknown',
): CrisisResource[] {
  const labels = LABELS[language];
  const emergency = { label: labels.emergency, phone: '911' };
  const lifeline = {
    label: labels.lifeline,
    phone: '988',
    sms: '988',
    url: language === 'es' ? LIFELINE_URL_ES : LIFELINE_URL,
  };
  const own = { label: labels.clinic(clinic.name), phone: clinic.phone };
  if (advice === 'call-us') return [own, emergency, lifeline];
  if (advice === 'crisis' && actingNow === 'no') return [lifeline, emergency, own];
  return [emergency, lifeline, own];
}

/** A `tel:` URL for a phone number as people write it ("(555) 010-0199" -> "tel:5550100199"). */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

/** An `sms:` URL for a number that takes texts. */
export function smsHref(phone: string): string {
  return `sms:${phone.replace(/[^\d+]/g, '')}`;
}
