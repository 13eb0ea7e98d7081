import type { VNode } from 'preact';
import { EXPORT_PART_DAYS, type ExportPageView } from '../../domain/console/export-console';
import { FHIR_EXPORT_TYPES, MAX_CONSOLE_WINDOW_DAYS } from '../../domain/exports/export-window';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer } from './console-document';

const TYPE_WORDS: Readonly<Record<(typeof FHIR_EXPORT_TYPES)[number], string>> = {
  QuestionnaireResponse: 'QuestionnaireResponse: each check-in reply',
  Observation: 'Observation: PHQ-9 and GAD-7 totals, with the band',
  Appointment: 'Appointment: each session',
  Patient: 'Patient: the patients these name',
  Questionnaire: 'Questionnaire: the three check-ins',
};

/** The console path of one part's download. */
export const exportPartHref = (type: string, from: string, to: string, page: number) =>
  `/console/export/fhir?${new URLSearchParams({ type, from, to, page: String(page) })}`;

/**
 * FHIR R4 downloads for an EHR or a measurement tool: one resource type and at most a month at a time, each
 * week a file of its own (FHIR Bulk Data NDJSON). Every download is recorded in the audit trail.
 */
export function ExportPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  view: ExportPageView;
}): VNode {
  const { view, clinic } = props;
  const errorOf = (field: string) => view.errors.find((error) => error.field === field)?.message;
  const field = (name: 'from' | 'to', label: string) => {
    const error = errorOf(name);
    return (
      <>
        <label class="label" for={name}>
          {label}
        </label>
        {error ? (
          <p class="error" id={`${name}-error`}>
            {error}
          </p>
        ) : null}
        <input
          type="date"
          id={name}
          name={name}
          value={view.input[name] ?? ''}
          required
          {...(error ? { 'aria-invalid': 'true', 'aria-describedby': `${name}-error` } : {})}
        />
      </>
    );
  };
  const typeError = errorOf('type');
  return (
    <ConsoleDocument title="Export" clinicName={clinic.name} viewer={props.viewer} current="export">
      <h1>Export (FHIR R4)</h1>
      <p>
        Check-in answers for an EHR or a measurement-based-care tool, as FHIR Bulk Data NDJSON: one resource
        type and at most {MAX_CONSOLE_WINDOW_DAYS} days at a time, one file per {EXPORT_PART_DAYS} days.
        Replies and totals count by when they were received; sessions by when they start. A patient's texts
        are not included. Every download is recorded with your name.
      </p>
      <form method="get" action="/console/export">
        <fieldset>
          <legend>Resource type</legend>
          {typeError ? (
            <p class="error" id="type-error">
              {typeError}
            </p>
          ) : null}
          {FHIR_EXPORT_TYPES.map((type) => (
            <div>
              <input
                type="radio"
                id={`type-${type}`}
                name="type"
                value={type}
                checked={(view.input.type ?? 'QuestionnaireResponse') === type}
              />
              <label for={`type-${type}`}>{TYPE_WORDS[type]}</label>
            </div>
          ))}
        </fieldset>
        {field('from', 'First day')}
        {field('to', 'Last day (included)')}
        <button type="submit" class="button button-secondary">
          Prepare the download
        </button>
      </form>
      {view.choice ? (
        <section aria-labelledby="parts">
          <h2 id="parts">
            {view.choice.type}, {view.choice.from} to {view.choice.to} ({clinic.timeZone})
          </h2>
          <ul>
            {view.choice.parts.map((part) => (
              <li>
                <a
                  href={exportPartHref(
                    view.choice?.type ?? '',
                    view.choice?.from ?? '',
                    view.choice?.to ?? '',
                    part.page,
                  )}
                  download
                >
                  Part {part.page}: {part.from} to {part.to}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </ConsoleDocument>
  );
}
