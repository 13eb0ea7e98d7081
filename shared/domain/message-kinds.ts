/** The follow-up messages of a booking, in the order a patient receives them. */
export const MESSAGE_KINDS = [
  'prep-instructions',
  'prep-reminder',
  'prep-day-of',
  'checkin-same-day',
  'checkin-next-day',
  'checkin-week',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const CHECKIN_KINDS = [
  'checkin-same-day',
  'checkin-next-day',
  'checkin-week',
] as const satisfies readonly MessageKind[];
export type CheckinKind = (typeof CHECKIN_KINDS)[number];

export function isCheckinKind(kind: string): kind is CheckinKind {
  return (CHECKIN_KINDS as readonly string[]).includes(kind);
}

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
