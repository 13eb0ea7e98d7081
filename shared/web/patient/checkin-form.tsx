import type { VNode } from 'preact';
import type { FieldError, Language } from '../../contracts/booking-events';
import {
  asksScreeners,
  type CheckinKind,
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SEVERITIES,
  SIDE_EFFECTS,
  type SideEffect,
  STILL_NOW_EFFECTS,
  type StillNowEffect,
} from '../../contracts/vocabulary';
import { CrisisBox, PhoneLink, Rich } from '../components';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { PatientDocument } from './patient-document';

/** The submitted form, by field name (`mood`, `sideEffects.nausea`, `phq9.4`, ...). */
export type FormValues = Readonly<Record<string, string>>;

export interface CheckinFormInput {
  language: Language;
  kind: CheckinKind;
  clinicName: string;
  clinicPhone: string;
  /** Where the form posts: the check-in link itself. */
  action: string;
  /** Whether the PHQ-9 and GAD-7 are asked. @default at the week check-in */
  screeners?: boolean;
  /** The patient's previous answers, shown again after an error. */
  values?: FormValues;
  /** Errors from the form parser; each is shown next to its field, in the patient's words. */
  errors?: readonly FieldError[];
}

/** An id for a field name: `sideEffects.racing-heart` -> `sideEffects-racing-heart`. */
function fieldId(field: string): string {
  return field.replace(/[^A-Za-z0-9-]/g, '-');
}

/** A patient-friendly message for one parser error, and the id of the control it links to (none when the form has no such field). */
export interface PatientError {
  message: string;
  anchor?: string;
}

/**
 * The patient's words for a form error, keyed by the parser's `field`; the
 * parser's own message (written for API clients) is never shown.
 */
export function patientErrorFor(language: Language, field: string, kind: CheckinKind): PatientError {
  const screeners = asksScreeners(kind);
  if (field === 'mood') return { message: t(language, 'error.mood'), anchor: 'mood-0' };
  if (field === 'selfHarm') return { message: t(language, 'error.selfHarm'), anchor: 'selfHarm-no' };
  if (field === 'selfHarmNow') return { message: t(language, 'error.selfHarmNow'), anchor: 'selfHarmNow-no' };
  if (field === 'phq9Difficulty' && screeners) {
    return { message: t(language, 'error.phq9Difficulty'), anchor: 'phq9Difficulty-0' };
  }
  const still = /^stillNow\.(.+)$/.exec(field)?.[1];
  if (still !== undefined && isStillNowEffect(still)) {
    return {
      message: t(language, 'error.stillNow', { effect: t(language, `sideEffect.${still}`) }),
      anchor: `${fieldId(field)}-no`,
    };
  }
  if (field === 'wantsCall') return { message: t(language, 'error.wantsCall'), anchor: 'wantsCall' };
  if (field === 'note') return { message: t(language, 'error.note'), anchor: 'note' };
  const effect = /^sideEffects\.(.+)$/.exec(field)?.[1];
  if (effect !== undefined && isSideEffect(effect)) {
    const label = t(language, `sideEffect.${effect}`);
    return {
      message: t(language, 'error.sideEffect', { effect: label }),
      anchor: `${fieldId(field)}-none`,
    };
  }
  if (screeners && (field === 'phq9' || field === 'gad7')) {
    return { message: t(language, field === 'phq9' ? 'error.phq9' : 'error.gad7'), anchor: `${field}-0-0` };
  }
  const item = /^(phq9|gad7)\.(\d)$/.exec(field);
  if (screeners && item) {
    const index = Number(item[2]);
    const phq9 = item[1] === 'phq9';
    if (index < (phq9 ? PHQ9_ITEMS : GAD7_ITEMS)) {
      const number = String(index + 1);
      return {
        message: t(language, phq9 ? 'error.phq9Item' : 'error.gad7Item', { number }),
        anchor: `${fieldId(field)}-0`,
      };
    }
  }
  return { message: t(language, 'error.other') };
}

function isSideEffect(key: string): key is SideEffect {
  return (SIDE_EFFECTS as readonly string[]).includes(key);
}

function isStillNowEffect(key: string): key is StillNowEffect {
  return (STILL_NOW_EFFECTS as readonly string[]).includes(key);
}

export interface ShownError extends PatientError {
  field: string;
  id: string;
}

/** One entry per field (the first error wins), unknown fields folded into one general message. */
function shownErrors(
  language: Language,
  kind: CheckinKind,
  errors: readonly FieldError[],
): Map<string, ShownError> {
  const shown = new Map<string, ShownError>();
  for (const error of errors) {
    const patient = patientErrorFor(language, error.field, kind);
    const field = patient.anchor === undefined ? '' : error.field;
    if (shown.has(field)) continue;
    shown.set(field, { ...patient, field, id: field === '' ? 'form-error' : `${fieldId(field)}-error` });
  }
  return shown;
}

/** The space-separated ids an `aria-describedby` names, or nothing when there are none. */
function describedBy(...ids: (string | undefined)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

function ErrorText(props: { language: Language; error: ShownError }): VNode {
  return (
    <p class="field-error" id={props.error.id}>
      <span class="sr-only">{t(props.language, 'error.titlePrefix')} </span>
      {props.error.message}
    </p>
  );
}

export interface RadioGroupProps {
  language: Language;
  name: string;
  legend: string;
  legendClass?: string;
  /** A follow-up question, shown (where CSS `:has` works) only when the question before calls for it. */
  followUp?: 'when-yes' | 'when-not-none';
  required?: boolean;
  hint?: string;
  /** Ids of text elsewhere on the page that also describes this question (the severity definitions). */
  describedBy?: string;
  options: readonly { value: string; label: string }[];
  checked: string | undefined;
  layout: 'scale' | 'two' | 'four' | 'stack';
  error: ShownError | undefined;
}

/** A fieldset of radio buttons: legend, hint, error, options as large labelled tap targets. */
export function RadioGroup(props: RadioGroupProps): VNode {
  const { language, name, error } = props;
  const id = fieldId(name);
  const hintId = props.hint ? `${id}-hint` : undefined;
  const layoutClass = props.layout === 'two' ? '' : ` options-${props.layout}`;
  const classes = ['field', error ? 'has-error' : '', props.followUp ? `follow-up ${props.followUp}` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={classes}>
      <fieldset id={id} aria-describedby={describedBy(hintId, props.describedBy, error?.id)}>
        <legend class={props.legendClass}>
          {props.legend}
          {props.required ? (
            <>
              {' '}
              <span class="required">({t(language, 'form.required')})</span>
            </>
          ) : null}
        </legend>
        {hintId ? (
          <p class="hint" id={hintId}>
            {props.hint}
          </p>
        ) : null}
        {error ? <ErrorText language={language} error={error} /> : null}
        <div class={`options${layoutClass}`}>
          {props.options.map((option) => {
            const optionId = `${id}-${fieldId(option.value)}`;
            return (
              <label class="option" for={optionId}>
                <input
                  type="radio"
                  id={optionId}
                  name={name}
                  value={option.value}
                  checked={option.value === props.checked}
                  required={props.required}
                  aria-invalid={error ? 'true' : undefined}
                />
                <span>{option.label}</span>
              </label>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

/**
 * The summary's entries, in form order. Several unanswered items of one
 * questionnaire (the parser asks for all once one is answered) become one
 * entry, linked to the first of them; each item still shows its own message.
 */
function summaryEntries(language: Language, errors: readonly ShownError[]): PatientError[] {
  const entries: PatientError[] = [];
  const grouped = new Set<string>();
  for (const error of errors) {
    const instrument = /^(phq9|gad7)\.\d+$/.exec(error.field)?.[1];
    if (instrument === 'phq9' || instrument === 'gad7') {
      const items = errors.filter((other) => other.field.startsWith(`${instrument}.`));
      if (items.length > 1) {
        const sectionShown = errors.some((other) => other.field === instrument);
        if (!grouped.has(instrument) && !sectionShown) {
          entries.push({ message: t(language, `error.${instrument}`), ...anchorOf(error) });
        }
        grouped.add(instrument);
        continue;
      }
    }
    entries.push(error);
  }
  return entries;
}

function anchorOf(error: PatientError): { anchor?: string } {
  return error.anchor === undefined ? {} : { anchor: error.anchor };
}

/** "There is a problem": every error, each linked to its field, announced when the page loads. */
export function ErrorSummary(props: { language: Language; errors: readonly ShownError[] }): VNode | null {
  const { language, errors } = props;
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{t(language, 'error.summaryTitle')}</h2>
      <p>{t(language, 'error.summaryIntro')}</p>
      <ul>
        {summaryEntries(language, errors).map((error) => (
          <li>{error.anchor ? <a href={`#${error.anchor}`}>{error.message}</a> : error.message}</li>
        ))}
      </ul>
    </div>
  );
}

function ScreenerSection(props: {
  language: Language;
  instrument: 'phq9' | 'gad7';
  values: FormValues;
  errors: Map<string, ShownError>;
}): VNode {
  const { language, instrument, values, errors } = props;
  const count = instrument === 'phq9' ? PHQ9_ITEMS : GAD7_ITEMS;
  const options = [0, 1, 2, 3].map((score) => ({
    value: String(score),
    label: t(language, `${instrument}.option.${score as 0 | 1 | 2 | 3}`),
  }));
  const sectionError = errors.get(instrument);
  return (
    <>
      <h3 id={`${instrument}-heading`}>{t(language, `${instrument}.heading`)}</h3>
      <p id={`${instrument}-stem`}>{t(language, `${instrument}.stem`)}</p>
      {sectionError ? <ErrorText language={language} error={sectionError} /> : null}
      {Array.from({ length: count }, (_, index) => {
        const name = `${instrument}.${index}`;
        const key = name as `${typeof instrument}.${0 | 1 | 2 | 3 | 4 | 5 | 6}`;
        return (
          <RadioGroup
            language={language}
            name={name}
            legend={`${index + 1}. ${t(language, key)}`}
            options={options}
            checked={values[name]}
            layout="stack"
            error={errors.get(name)}
          />
        );
      })}
    </>
  );
}

/**
 * The check-in form: mood, side effects with severity, the self-harm
 * question, "please call me", a note and, at `checkin-week` only, the PHQ-9
 * and GAD-7. After a rejected post, pass the submitted `values` and the
 * parser's `errors`: the answers are kept and each error is shown next to its
 * field and in a summary at the top. Posts to `action`; works without JavaScript.
 */
export function CheckinForm(input: CheckinFormInput): VNode {
  const { language, kind, clinicName, clinicPhone } = input;
  const values: FormValues = input.values ?? {};
  const errors = shownErrors(language, kind, input.errors ?? []);
  const severities = SEVERITIES.map((severity) => ({
    value: severity,
    label: t(language, `severity.${severity}`),
  }));
  const wantsCallError = errors.get('wantsCall');
  const noteError = errors.get('note');
  const general = errors.get('');
  const title = t(language, 'form.title');
  const screeners = input.screeners ?? asksScreeners(kind);
  const window = t(language, `window.${kind}`);
  const yesNo = [
    { value: 'no', label: t(language, 'form.no') },
    { value: 'yes', label: t(language, 'form.yes') },
  ];
  return (
    <PatientDocument
      language={language}
      title={errors.size > 0 ? `${t(language, 'error.titlePrefix')} ${title}` : title}
      clinicName={clinicName}
      clinicPhone={clinicPhone}
    >
      <h1>{title}</h1>
      <CrisisBox language={language} />
      <ErrorSummary language={language} errors={[...errors.values()]} />
      <p>{t(language, 'form.intro', { clinicName, window, minutes: screeners ? '5' : '2' })}</p>
      <p class="small">{t(language, 'form.requiredNote')}</p>
      <form method="post" action={input.action} novalidate autocomplete="off" accept-charset="utf-8">
        {general ? <ErrorText language={language} error={general} /> : null}
        <RadioGroup
          language={language}
          name="mood"
          legend={t(language, 'form.mood.legend')}
          legendClass="legend-lg"
          required
          hint={t(language, 'form.mood.hint')}
          options={Array.from({ length: 11 }, (_, n) => ({ value: String(n), label: String(n) }))}
          checked={values.mood}
          layout="scale"
          error={errors.get('mood')}
        />
        <h2>{t(language, 'form.sideEffects.heading', { window })}</h2>
        <p class="hint">{t(language, 'form.sideEffects.hint')}</p>
        <ul class="hint severity-definitions" id="severity-definitions">
          <li>{t(language, 'form.severity.mild')}</li>
          <li>{t(language, 'form.severity.moderate')}</li>
          <li>{t(language, 'form.severity.severe')}</li>
        </ul>
        {SIDE_EFFECTS.map((effect) => {
          const name = `sideEffects.${effect}`;
          const stillName = `stillNow.${effect}`;
          return (
            <>
              <RadioGroup
                language={language}
                name={name}
                legend={t(language, `sideEffect.${effect}`)}
                options={severities}
                // "None" unless the patient sent something else (an unknown value leaves all unchecked).
                checked={values[name] ?? 'none'}
                layout="four"
                describedBy="severity-definitions"
                error={errors.get(name)}
              />
              {isStillNowEffect(effect) ? (
                <RadioGroup
                  language={language}
                  name={stillName}
                  legend={`${t(language, `sideEffect.${effect}`)}: ${t(language, 'form.stillNow.legend')}`}
                  followUp="when-not-none"
                  options={yesNo}
                  checked={values[stillName]}
                  layout="two"
                  error={errors.get(stillName)}
                />
              ) : null}
            </>
          );
        })}
        <h2>{t(language, 'form.more.heading')}</h2>
        <RadioGroup
          language={language}
          name="selfHarm"
          legend={t(language, 'form.selfHarm.legend', { window })}
          legendClass="legend-lg"
          required
          hint={t(language, 'form.selfHarm.hint')}
          options={yesNo}
          checked={values.selfHarm}
          layout="two"
          error={errors.get('selfHarm')}
        />
        <RadioGroup
          language={language}
          name="selfHarmNow"
          legend={t(language, 'form.selfHarmNow.legend')}
          legendClass="legend-lg"
          followUp="when-yes"
          hint={t(language, 'form.selfHarmNow.hint')}
          options={yesNo}
          checked={values.selfHarmNow}
          layout="two"
          error={errors.get('selfHarmNow')}
        />
        <div class={wantsCallError ? 'field has-error' : 'field'}>
          {wantsCallError ? <ErrorText language={language} error={wantsCallError} /> : null}
          <label class="option" for="wantsCall">
            <input
              type="checkbox"
              id="wantsCall"
              name="wantsCall"
              value="yes"
              checked={values.wantsCall === 'yes'}
              aria-describedby={describedBy('wantsCall-hint', wantsCallError?.id)}
              aria-invalid={wantsCallError ? 'true' : undefined}
            />
            <span>{t(language, 'form.wantsCall.label')}</span>
          </label>
          <p class="hint" id="wantsCall-hint">
            {t(language, 'form.wantsCall.hint', { clinicName })}
          </p>
        </div>
        <div class={noteError ? 'field has-error' : 'field'}>
          <label class="label" for="note">
            {t(language, 'form.note.label')}
          </label>
          <p class="hint" id="note-hint">
            <Rich
              language={language}
              message="form.note.hint"
              params={{ clinicName, phone: <PhoneLink phone={clinicPhone} /> }}
            />
          </p>
          {noteError ? <ErrorText language={language} error={noteError} /> : null}
          <textarea
            id="note"
            name="note"
            rows={5}
            maxlength={2000}
            aria-describedby={describedBy('note-hint', noteError?.id)}
            aria-invalid={noteError ? 'true' : undefined}
          >
            {/* The parser drops one newline after the start tag: this one keeps a note that begins with a line break intact. */}
            {`\n${values.note ?? ''}`}
          </textarea>
        </div>
        {screeners ? (
          <>
            <h2>{t(language, 'form.screeners.heading')}</h2>
            <p>{t(language, 'form.screeners.intro')}</p>
            <ScreenerSection language={language} instrument="phq9" values={values} errors={errors} />
            <RadioGroup
              language={language}
              name="phq9Difficulty"
              legend={t(language, 'phq9Difficulty.legend')}
              options={([0, 1, 2, 3] as const).map((score) => ({
                value: String(score),
                label: t(language, `phq9Difficulty.option.${score}`),
              }))}
              checked={values.phq9Difficulty}
              layout="stack"
              error={errors.get('phq9Difficulty')}
            />
            <ScreenerSection language={language} instrument="gad7" values={values} errors={errors} />
          </>
        ) : null}
        <button type="submit" class="button">
          {t(language, 'form.submit')}
        </button>
      </form>
    </PatientDocument>
  );
}

/** The check-in form as a whole page; see `CheckinForm`. */
export function renderCheckinForm(input: CheckinFormInput): string {
  return renderPage(<CheckinForm {...input} />);
}
