import type { ComponentChildren, VNode } from 'preact';
import type { FullBooking, Language, Treatment } from '../../contracts/booking-events';
import {
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SIDE_EFFECTS,
  STILL_NOW_EFFECTS,
  type StillNowEffect,
} from '../../contracts/vocabulary';
import { checkinKindLabel, formatStaffTime } from '../../domain/alerts/staff-wording';
import { telHref } from '../../domain/checkins/crisis-resources';
import type { StoredReply } from '../../domain/ports';
import { Outside } from '../components';
import { t } from '../i18n';

/*
 * What staff see of a reply, its patient and its session. The answers use
 * the English wording of the patient form (i18n), so staff read what the
 * patient was asked; the note and the booking's names and places are
 * untrusted text, escaped by the renderer like everything else.
 */

/** How staff see the clinic: its name and the zone its times are shown in. */
export interface ClinicView {
  name: string;
  timeZone: string;
}

const TREATMENT_LABELS: Readonly<Record<Treatment, string>> = {
  'iv-ketamine': 'IV ketamine',
  'im-ketamine': 'IM ketamine',
  'esketamine-nasal': 'Esketamine nasal spray',
  kap: 'Ketamine-assisted psychotherapy',
  other: 'Other',
};

const LANGUAGE_LABELS: Readonly<Record<Language, string>> = { en: 'English', es: 'Spanish' };

/** One term of a definition list and its value. */
export function Term(props: { label: string; children: ComponentChildren }): VNode {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

/** Text that draws the eye: a severe effect, a "yes" to self-harm. */
function Flag(props: { children: ComponentChildren }): VNode {
  return <span class="flag">{props.children}</span>;
}

/** An answer that made a triage rule fire: highlighted, and said so to screen readers. */
function Triggered(props: { when: boolean; children: ComponentChildren }): VNode {
  if (!props.when) return <>{props.children}</>;
  return (
    <mark>
      {props.children}
      <span class="sr-only"> (flagged by triage)</span>
    </mark>
  );
}

function YesNo(props: { answer: boolean }): VNode {
  return props.answer ? <Flag>Yes</Flag> : <>No</>;
}

/** Untrusted text with its line breaks kept. */
function Multiline(props: { text: string }): VNode {
  const lines = props.text.replace(/\r\n?/g, '\n').split('\n');
  return (
    <>
      {lines.map((line, index) => (
        <>
          {index > 0 ? <br /> : null}
          {line}
        </>
      ))}
    </>
  );
}

function RuleList(props: {
  rules: readonly string[];
  descriptions: Readonly<Record<string, string>>;
}): VNode {
  if (props.rules.length === 0) return <p>No triage rule fired.</p>;
  return (
    <ul>
      {props.rules.map((id) => {
        const description = props.descriptions[id];
        return (
          <li>
            <code>{id}</code>
            {description ? `: ${description}` : null}
          </li>
        );
      })}
    </ul>
  );
}

type Instrument = 'phq9' | 'gad7';

function screenerItemText(instrument: Instrument, index: number): string {
  return instrument === 'phq9'
    ? t('en', `phq9.${index as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}`)
    : t('en', `gad7.${index as 0 | 1 | 2 | 3 | 4 | 5 | 6}`);
}

function screenerOptionText(instrument: Instrument, score: number): string {
  if (!Number.isInteger(score) || score < 0 || score > 3) return String(score);
  return `${t('en', `${instrument}.option.${score as 0 | 1 | 2 | 3}`)} (${score})`;
}

/** A screener's total and band, item 9 for the PHQ-9, and every item behind a `<details>`. */
function ScreenerAnswers(props: {
  reply: StoredReply;
  instrument: Instrument;
  triggers: ReadonlySet<string>;
}): VNode | null {
  const { reply, instrument, triggers } = props;
  const name = instrument === 'phq9' ? 'PHQ-9' : 'GAD-7';
  const items = reply.answers[instrument];
  const score = reply.scores[instrument];
  if (!items && !score) return null;
  const count = instrument === 'phq9' ? PHQ9_ITEMS : GAD7_ITEMS;
  const item9 = instrument === 'phq9' ? items?.[8] : undefined;
  return (
    <Term label={name}>
      {score ? (
        <p>
          <Triggered when={triggers.has(instrument)}>
            Total {score.total} of {instrument === 'phq9' ? 27 : 21}: {score.band.replace(/-/g, ' ')}
          </Triggered>
        </p>
      ) : null}
      {item9 !== undefined ? (
        <p>
          Item 9, “{screenerItemText('phq9', 8)}”:{' '}
          {item9 >= 1 ? <Flag>{screenerOptionText('phq9', item9)}</Flag> : screenerOptionText('phq9', item9)}
        </p>
      ) : null}
      {items ? (
        <details>
          <summary>All {name} answers</summary>
          <table>
            <caption class="sr-only">{name} answers</caption>
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {items.slice(0, count).map((value, index) => (
                <tr>
                  <td>
                    {index + 1}. {screenerItemText(instrument, index)}
                  </td>
                  <td>
                    <Triggered when={triggers.has(`${instrument}.${index}`)}>
                      {screenerOptionText(instrument, value)}
                    </Triggered>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </Term>
  );
}

/** Every answer of a reply in plain English, as a definition list. */
function ReplyAnswers(props: {
  reply: StoredReply;
  booking?: FullBooking;
  triggers: ReadonlySet<string>;
}): VNode {
  const { triggers } = props;
  const { answers } = props.reply;
  const language = props.booking?.patient.language ?? 'en';
  if (props.reply.kind === 'text') return <TextAnswer text={answers.note ?? ''} language={language} />;
  const effects = SIDE_EFFECTS.flatMap((effect) => {
    const severity = answers.sideEffects[effect];
    if (severity === undefined || severity === 'none') return [];
    const still = (STILL_NOW_EFFECTS as readonly string[]).includes(effect)
      ? answers.stillNow?.[effect as StillNowEffect]
      : undefined;
    const stillText = (STILL_NOW_EFFECTS as readonly string[]).includes(effect)
      ? still === undefined
        ? ' (still felt now: not answered)'
        : still
          ? ' (still felt now)'
          : ' (gone by now)'
      : '';
    const label = `${t('en', `sideEffect.${effect}`)}: ${t('en', `severity.${severity}`)}${stillText}`;
    return [
      <li>
        <Triggered when={triggers.has(`sideEffects.${effect}`)}>
          {severity === 'severe' ? <Flag>{label}</Flag> : label}
        </Triggered>
      </li>,
    ];
  });
  const note = answers.note !== undefined && answers.note.trim() !== '' ? answers.note : undefined;
  const window = t('en', `window.${props.reply.kind}`);
  const unread = props.reply.unread ?? [];
  return (
    <dl class="answers">
      {unread.length > 0 ? (
        <Term label="Could not be read">
          <Flag>Stored for its red flag although these fields were invalid: {unread.join(', ')}</Flag>
        </Term>
      ) : null}
      <Term label="Mood (0 worst, 10 best)">
        <Triggered when={triggers.has('mood')}>
          {answers.mood === undefined ? 'Not answered' : `${answers.mood} / 10`}
        </Triggered>
      </Term>
      <Term label={`Side effects ${window}`}>
        {effects.length > 0 ? <ul>{effects}</ul> : 'None reported.'}
      </Term>
      <Term label={t('en', 'form.selfHarm.legend', { window })}>
        <Triggered when={triggers.has('selfHarm')}>
          {answers.selfHarm === undefined ? 'Not answered' : <YesNo answer={answers.selfHarm === 'yes'} />}
        </Triggered>
      </Term>
      {answers.selfHarm === 'yes' || answers.selfHarmNow !== undefined ? (
        <Term label="Thinking of acting on these thoughts now">
          <Triggered when={triggers.has('selfHarmNow') || answers.selfHarmNow === 'yes'}>
            {answers.selfHarmNow === undefined ? (
              <Flag>Not answered</Flag>
            ) : answers.selfHarmNow === 'yes' ? (
              <Flag>Yes</Flag>
            ) : (
              'No'
            )}
          </Triggered>
        </Term>
      ) : null}
      <Term label="Asked for a call (“Please call me”)">
        <Triggered when={triggers.has('wantsCall')}>
          <YesNo answer={answers.wantsCall} />
        </Triggered>
      </Term>
      <Term label="Note from the patient">
        {note !== undefined ? (
          <blockquote class="note" lang={language === 'en' ? undefined : language}>
            <p>
              <bdi>
                <Multiline text={note} />
              </bdi>
            </p>
          </blockquote>
        ) : (
          'No note.'
        )}
      </Term>
      <ScreenerAnswers reply={props.reply} instrument="phq9" triggers={triggers} />
      {answers.phq9Item9 !== undefined ? (
        <Term label="PHQ-9 item 9 (the other PHQ-9 answers could not be read)">
          <Triggered when={answers.phq9Item9 >= 1}>{screenerOptionText('phq9', answers.phq9Item9)}</Triggered>
        </Term>
      ) : null}
      {answers.phq9Difficulty !== undefined ? (
        <Term label="PHQ-9 difficulty (item 10, not scored)">
          {t('en', `phq9Difficulty.option.${answers.phq9Difficulty as 0 | 1 | 2 | 3}`)}
        </Term>
      ) : null}
      <ScreenerAnswers reply={props.reply} instrument="gad7" triggers={triggers} />
    </dl>
  );
}

/** A patient's text to the clinic's number: the text is all there is. */
function TextAnswer(props: { text: string; language: string }): VNode {
  return (
    <dl class="answers">
      <Term label="Text from the patient">
        <blockquote class="note" lang={props.language === 'en' ? undefined : props.language}>
          <p>
            <bdi>
              <Multiline text={props.text} />
            </bdi>
          </p>
        </blockquote>
      </Term>
    </dl>
  );
}

const NONE: ReadonlySet<string> = new Set();

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The check-in, when it came, what was reported and which rules fired. */
export function ReplySection(props: {
  reply: StoredReply;
  /** Absent for a text from a number not on file. */
  booking?: FullBooking;
  clinic: ClinicView;
  ruleDescriptions: Readonly<Record<string, string>>;
  /** Answers to highlight: those that made a rule fire (`triggeringAnswers`). */
  triggers?: ReadonlySet<string>;
  /** @default "What was reported" */
  heading?: string;
}): VNode {
  const { reply, booking, clinic } = props;
  return (
    <>
      <h2>{props.heading ?? 'What was reported'}</h2>
      <p>
        {capitalise(checkinKindLabel(reply.kind))}, received{' '}
        {formatStaffTime(reply.receivedAt, clinic.timeZone)}. Triage: <strong>{reply.triage}</strong>.
      </p>
      <ReplyAnswers reply={reply} {...(booking ? { booking } : {})} triggers={props.triggers ?? NONE} />
      <h2>Why it was flagged</h2>
      <p>Triage rules that fired:</p>
      <RuleList rules={reply.rules} descriptions={props.ruleDescriptions} />
    </>
  );
}

/** A text from a number no message of ours went to: the number to call back, and that nothing else is known. */
export function SenderSection(props: { phone: string | undefined }): VNode {
  return (
    <>
      <h2>How to reach the sender</h2>
      <p>
        This text came from a number the clinic has not texted, so it is not linked to a patient or a session.
        Call it back and find out who it is.
      </p>
      {props.phone ? (
        <dl class="answers">
          <Term label="Phone">
            <a href={telHref(props.phone)}>{props.phone}</a>
          </Term>
        </dl>
      ) : null}
    </>
  );
}

/** First name, phone (tap to call) and email (tap to write), and the language the patient uses. */
export function ContactSection(props: { booking: FullBooking }): VNode {
  const { patient } = props.booking;
  return (
    <>
      <h2>How to reach the patient</h2>
      <dl class="answers">
        <Term label="First name">
          <Outside text={patient.firstName} />
        </Term>
        {patient.phone ? (
          <Term label="Phone">
            <a href={telHref(patient.phone)}>{patient.phone}</a>
          </Term>
        ) : null}
        {patient.email ? (
          <Term label="Email">
            <a href={`mailto:${patient.email}`}>{patient.email}</a>
          </Term>
        ) : null}
        <Term label="Language">{LANGUAGE_LABELS[patient.language]}</Term>
      </dl>
    </>
  );
}

/** The session the check-in follows: when (clinic time zone), treatment, location, clinician. */
export function SessionSection(props: { booking: FullBooking; clinic: ClinicView }): VNode {
  const { booking, clinic } = props;
  const { session } = booking;
  return (
    <>
      <h2>Session</h2>
      <dl class="answers">
        <Term label="Booking reference">
          <code>{booking.bookingId}</code>
        </Term>
        <Term label="Date and time">{formatStaffTime(session.startsAt, clinic.timeZone)}</Term>
        <Term label="Treatment">{TREATMENT_LABELS[session.treatment]}</Term>
        {session.location ? (
          <Term label="Location">
            <Outside text={session.location} />
          </Term>
        ) : null}
        {session.clinicianName ? (
          <Term label="Clinician">
            <Outside text={session.clinicianName} />
          </Term>
        ) : null}
      </dl>
    </>
  );
}
