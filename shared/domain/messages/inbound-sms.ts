import type { Language } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import type { MessageKind } from '../../contracts/vocabulary';
import { raiseNotice } from '../alerts/front-desk-notices';
import type { BookingRecord } from '../booking-record';
import { bookingRefOf } from '../booking-ref';
import { storeReply } from '../checkins/checkin';
import { TEXT_RULES } from '../checkins/triage';
import { containsUrgentPhrase, foldForMatching, foldPhrases } from '../checkins/urgent-phrases';
import { contactDigest } from '../contacts';
import {
  AddressRefusedError,
  type AlertStore,
  type BookingStore,
  type DeadLetterSink,
  type ReplyStore,
  type SmsSender,
  type StoredReply,
} from '../ports';
import { shiftIso } from '../time';
import type { ContactStatusStore } from './delivery-events';
import { toGsm7 } from './gsm7';
import { answerReadiness, type ReadinessDeps, readinessAskable } from './readiness';

/*
 * A patient's text to the clinic's number (DESIGN section 11). A keyword counts only as the whole message
 * ("STOP", "stop.", " Stop "), as carriers read them; anything longer is a message to the clinic.
 */

/** What each kind of number takes as opt-out and opt-in words (AWS keeps the list; we record it). */
const KEYWORDS: Readonly<
  Record<ClinicConfig['sms']['numberType'], { optOut: readonly string[]; optIn: readonly string[] }>
> = {
  // US toll-free numbers: the carriers' own STOP, and START or UNSTOP, nothing else.
  'toll-free': { optOut: ['stop'], optIn: ['start', 'unstop'] },
  // 10DLC and short codes: End User Messaging's default opt-out keywords.
  '10dlc': {
    optOut: [
      'stop',
      'stopall',
      'unsubscribe',
      'cancel',
      'end',
      'quit',
      'optout',
      'opt out',
      'arret',
      'td',
      'remove',
    ],
    optIn: ['start'],
  },
};
/** Answered by the number's keyword configuration with the HELP text, every time. */
const HELP_WORDS = ['help', 'info', 'ayuda'];
/** Answers to the readiness question ("SÍ" folds to "si"). */
const YES_WORDS = ['yes', 'y', 'si'];
const NO_WORDS = ['no'];

export type InboundIntent =
  | { type: 'opt-out' }
  | { type: 'opt-in' }
  | { type: 'help' }
  | { type: 'readiness'; ready: boolean }
  /** A message to the clinic: stored, screened, listed for review. */
  | { type: 'message' };

/** The intent of one inbound text, from its whole body folded (case, accents and punctuation away). */
export function intentOf(body: string, numberType: ClinicConfig['sms']['numberType']): InboundIntent {
  const folded = foldForMatching(body);
  const { optOut, optIn } = KEYWORDS[numberType];
  if (optOut.includes(folded)) return { type: 'opt-out' };
  if (optIn.includes(folded)) return { type: 'opt-in' };
  if (HELP_WORDS.includes(folded)) return { type: 'help' };
  if (YES_WORDS.includes(folded)) return { type: 'readiness', ready: true };
  if (NO_WORDS.includes(folded)) return { type: 'readiness', ready: false };
  return { type: 'message' };
}

/** One text as End User Messaging hands it over. */
export interface InboundSms {
  /** End User Messaging's id of the text: a redelivery carries the same one. */
  inboundId: string;
  from: string;
  body: string;
  /** The provider's id of the message the patient answered, when the carrier says. */
  repliesTo?: string;
  /** When it reached us (the SNS timestamp), so a redelivery stores the same record. */
  receivedAt: string;
}

/** An SMS we sent, as the phone's history keeps it. */
export interface SentText {
  bookingId: string;
  kind: MessageKind;
  /** The provider's message id (what `previousPublishedMessageId` names). */
  providerMessageId: string;
  sentAt: string;
}

/** The SMS sent to each phone, by the phone's digest. */
export interface SentTextLog {
  /** The latest texts sent to that phone (the last 20), newest first. */
  recentTo(phoneDigest: string): Promise<SentText[]>;
}

/** Texts from patients, kept by the phone's digest; and each phone's last auto-reply. */
export interface InboundTextStore {
  /** Keeps the text; storing the same `inboundId` again changes nothing. */
  record(text: StoredInboundText): Promise<void>;
  /** Takes the phone's auto-reply for now unless one went since `since`; false when one did. */
  claimAutoReply(phoneDigest: string, opts: { now: string; since: string }): Promise<boolean>;
  /** Gives the claim back when the auto-reply could not be sent, so a retry sends it. */
  releaseAutoReply(phoneDigest: string, claimedAt: string): Promise<void>;
}

export interface StoredInboundText {
  inboundId: string;
  phoneDigest: string;
  receivedAt: string;
  body: string;
  intent: InboundIntent['type'];
  urgent: boolean;
  /** The booking of the message it answers, when one was found. */
  bookingId?: string;
}

export interface InboundSmsDeps extends ReadinessDeps {
  bookings: BookingStore;
  sentTexts: SentTextLog;
  texts: InboundTextStore;
  replies: ReplyStore;
  alerts: Pick<AlertStore, 'get'>;
  contacts: ContactStatusStore;
  sms: SmsSender;
  newId: () => string;
}

/** The function's deps: a text that cannot be read is kept with its reason. */
export interface PatientTextDeps extends InboundSmsDeps {
  deadLetters: DeadLetterSink;
}

export type InboundOutcome =
  | 'opted-out'
  | 'opted-in'
  | 'help'
  | 'readiness'
  /** Stored as an urgent reply: the staff alert is owed. */
  | 'urgent'
  /** Stored and listed for review. */
  | 'review'
  /** From a phone we never texted and not urgent: kept under the sender's key with the number, listed for review. */
  | 'unmatched';

/** How long after one auto-reply the phone gets no other (urgent texts are answered every time). */
const AUTO_REPLY_HOURS = 24;

/** What a text to the number is answered with: never a promise that someone reads it now. */
export function autoReplyText(config: ClinicConfig, language: Language): string {
  const phone = config.clinic.phone;
  const text =
    language === 'es'
      ? `Este numero no se vigila siempre. Emergencias: llame al 911. Para hablar con alguien ya, llame o escriba al 988. Para llamarnos: ${phone}.`
      : `This number is not watched all the time. In an emergency call 911. To talk to someone now, call or text 988. To reach us call ${phone}.`;
  return toGsm7(text);
}

/** The HELP answer the number's keyword configuration gives (carriers require every part of it). */
export function helpKeywordText(config: ClinicConfig): string {
  const name = config.clinic.smsName ?? config.clinic.name;
  return toGsm7(
    `${name}: visit reminders and check-ins. Call ${config.clinic.phone}. Msg & data rates may apply. Reply STOP to opt out.`,
  );
}

/**
 * Handles one text (DESIGN section 11): every text is screened with the urgent phrase list and stored by the
 * phone's digest; an opt-out or opt-in is recorded on the patient (AWS keeps the list itself), an opt-out
 * tells the front desk; any other text becomes a reply on the booking of the message it answers (urgent:
 * the staff alert, as an urgent check-in's; otherwise listed for review) and gets the auto-reply, at most
 * once a day unless urgent. Safe to run again for the same text: each write is keyed by the text's id.
 */
export async function handleInboundSms(deps: InboundSmsDeps, text: InboundSms): Promise<InboundOutcome> {
  const phoneDigest = contactDigest('sms', text.from);
  const intent = intentOf(text.body, deps.config.sms.numberType);
  const urgent = containsUrgentPhrase(text.body, foldPhrases(deps.config.urgentPhrases));
  // The message a text answers: the one the carrier names, else the latest sent to that phone.
  const recent = await deps.sentTexts.recentTo(phoneDigest);
  const named = text.repliesTo ? recent.find((sent) => sent.providerMessageId === text.repliesTo) : undefined;
  let answered = named ?? recent[0];
  let record = answered ? await deps.bookings.get(answered.bookingId) : undefined;
  // YES or NO answers the newest day-before reminder whose session is still to come (the one named, if any),
  // though a check-in of another booking went out after it.
  let askedBooking: BookingRecord | undefined;
  if (!urgent && intent.type === 'readiness') {
    const reminder = named
      ? named.kind === 'prep-reminder'
        ? named
        : undefined
      : recent.find((sent) => sent.kind === 'prep-reminder');
    const reminderRecord =
      reminder && reminder.bookingId === answered?.bookingId
        ? record
        : reminder
          ? await deps.bookings.get(reminder.bookingId)
          : undefined;
    if (reminder && reminderRecord && readinessAskable(reminderRecord, deps.clock.now())) {
      answered = reminder;
      record = reminderRecord;
      askedBooking = reminderRecord;
    }
  }
  await deps.texts.record({
    inboundId: text.inboundId,
    phoneDigest,
    receivedAt: text.receivedAt,
    body: text.body,
    intent: intent.type,
    urgent,
    ...(answered ? { bookingId: answered.bookingId } : {}),
  });
  deps.metrics.count(`InboundSms_${urgent ? 'urgent' : intent.type}`);
  const patientId = record?.booking?.patient.id;

  if (!urgent && (intent.type === 'opt-out' || intent.type === 'opt-in')) {
    if (patientId && intent.type === 'opt-out') {
      await deps.contacts.markUnreachable(patientId, {
        channel: 'sms',
        digest: phoneDigest,
        status: 'opted-out',
        at: text.receivedAt,
        deliveryId: `inbound:${text.inboundId}`,
      });
    }
    if (patientId && intent.type === 'opt-in')
      await deps.contacts.clearMark(patientId, { channel: 'sms', digest: phoneDigest, at: text.receivedAt });
    if (answered && intent.type === 'opt-out') {
      // The clinic lost a channel: the front desk may want to confirm the patient's email.
      await raiseNotice(deps, {
        bookingId: answered.bookingId,
        reason: 'sms-opted-out',
        kind: answered.kind,
      });
    }
    deps.log.info('sms opt-out list change recorded', {
      intent: intent.type,
      matched: answered !== undefined,
    });
    return intent.type === 'opt-out' ? 'opted-out' : 'opted-in';
  }
  // The number's keyword configuration answers HELP itself.
  if (!urgent && intent.type === 'help') return 'help';

  // YES or NO to the day-before reminder's question; to anything else it is a message like any other.
  if (askedBooking && intent.type === 'readiness') {
    const answer = { via: 'sms' as const, at: text.receivedAt, ready: intent.ready };
    if (await answerReadiness(deps, askedBooking, answer)) return 'readiness';
  }
  const language = record?.booking?.patient.language ?? 'en';
  // A number we never texted (a new phone, a relative's) has no booking: the text is kept under the sender's
  // own key with the number to call back, listed for review, and alerted on like any other when urgent.
  const booking =
    answered && record?.booking ? { answered, record, patient: record.booking.patient } : undefined;
  const bookingId = booking ? booking.answered.bookingId : unknownSenderKey(phoneDigest);
  const reply: StoredReply = {
    // The text's own id: a redelivery finds the reply it stored.
    replyId: `text-${text.inboundId}`,
    bookingId,
    bookingRef: bookingRefOf(booking ? booking.record : { bookingId }),
    ...(booking ? { patientId: booking.patient.id } : { from: text.from }),
    kind: 'text',
    receivedAt: text.receivedAt,
    answers: { sideEffects: {}, wantsCall: false, note: text.body },
    triage: urgent ? 'urgent' : 'review',
    rules: [urgent ? TEXT_RULES.urgent : TEXT_RULES.review],
    advice: urgent ? 'crisis' : 'none',
    scores: {},
  };
  // The same text published twice comes with another SNS time: its id finds the reply stored the first time.
  const earlier = await deps.replies.listForBooking(bookingId);
  if (!earlier.some((stored) => stored.replyId === reply.replyId)) {
    await storeReply(deps, reply, urgent ? earlier : undefined).catch((error: unknown) => {
      // Stored by an earlier delivery of the same text.
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    });
  }
  await autoReply(deps, text, phoneDigest, language, urgent);
  // The reply id alone: a triage level beside it would say something about the patient.
  deps.log.info('patient text stored', { replyId: reply.replyId, matched: booking !== undefined });
  return urgent ? 'urgent' : booking ? 'review' : 'unmatched';
}

/** Where the texts of a number no message of ours went to are kept: the sender's own key, by the phone's digest. */
export function unknownSenderKey(phoneDigest: string): string {
  return `sender.${phoneDigest}`;
}

/** Answers a text: at most once a day per phone, but every urgent text (its crisis numbers matter then). */
async function autoReply(
  deps: InboundSmsDeps,
  text: InboundSms,
  phoneDigest: string,
  language: Language,
  urgent: boolean,
): Promise<void> {
  const now = deps.clock.now();
  if (!urgent) {
    const since = shiftIso(now, { hours: -AUTO_REPLY_HOURS });
    if (!(await deps.texts.claimAutoReply(phoneDigest, { now, since }))) return;
  }
  try {
    await deps.sms.send({
      to: text.from,
      text: autoReplyText(deps.config, language),
      kind: 'text-auto-reply',
    });
    deps.metrics.count('InboundSmsAutoReplies');
  } catch (error) {
    // A phone on the opt-out list gets nothing from us, not even this.
    if (error instanceof AddressRefusedError) return;
    if (!urgent) await deps.texts.releaseAutoReply(phoneDigest, now);
    throw error;
  }
}
