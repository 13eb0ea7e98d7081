import type { ComponentChildren, VNode } from 'preact';
import type { FullBooking, Language } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { InlineLine, Lines } from '../../domain/messages/email-html';
import { READINESS_FIELDS, type ReadinessFormState } from '../../domain/messages/readiness';
import { type BodyBlock, emailContent, type Inline } from '../../domain/messages/templates';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { ErrorSummary, RadioGroup, type ShownError } from './checkin-form';
import { PatientDocument } from './patient-document';

export interface InstructionsPageInput {
  language: Language;
  config: ClinicConfig;
  booking: FullBooking;
  /** This page's own URL, for a template that uses `{{link}}`. */
  link?: string;
  /** Where the readiness form posts (the page's own path); without it the page has no form. */
  readinessAction?: string;
  readiness?: ReadinessFormState;
}

/** An inline on the page: the page's stylesheet styles links, so none is inline (the CSP allows none). */
function PageInline(props: { inline: Inline }): ComponentChildren {
  const { inline } = props;
  return 'href' in inline ? <a href={inline.href}>{inline.label}</a> : inline.text;
}

/**
 * A short one-line paragraph of plain text right before a list ("What to
 * bring") is the list's heading on the page.
 */
function headingText(block: BodyBlock, next: BodyBlock | undefined): string | undefined {
  if (block.type !== 'paragraph' || next?.type !== 'list' || block.lines.length !== 1) return undefined;
  const line = block.lines[0] ?? [];
  if (!line.every((inline) => 'text' in inline)) return undefined;
  const text = line.map((inline) => ('text' in inline ? inline.text : '')).join('');
  return text.length <= 60 && !/[.,:;!?]\s*$/.test(text) ? text.trim() : undefined;
}

function InstructionsBody(props: { blocks: readonly BodyBlock[] }): VNode {
  const { blocks } = props;
  return (
    <>
      {blocks.map((block, index) => {
        const heading = headingText(block, blocks[index + 1]);
        if (heading !== undefined) return <h2>{heading}</h2>;
        return block.type === 'paragraph' ? (
          <p>
            <Lines lines={block.lines} Part={PageInline} />
          </p>
        ) : (
          <ul>
            {block.items.map((item) => (
              <li>
                <InlineLine line={item} Part={PageInline} />
              </li>
            ))}
          </ul>
        );
      })}
    </>
  );
}

/**
 * The full preparation instructions of a booking (the clinic's
 * `prep-instructions` email body, rendered for this booking and language) as
 * a page with the same look as the check-in pages. The SMS links here.
 *
 * @throws TemplateRenderError when the clinic's template cannot be rendered
 *   (prevented by `validateClinicConfig` at synth)
 */
export function InstructionsPage(input: InstructionsPageInput): VNode {
  const { language, config } = input;
  const booking: FullBooking = { ...input.booking, patient: { ...input.booking.patient, language } };
  const { blocks } = emailContent({
    config,
    kind: 'prep-instructions',
    booking,
    ...(input.link === undefined ? {} : { link: input.link }),
  });
  return (
    <PatientDocument
      language={language}
      title={t(language, 'instructions.title')}
      clinicName={config.clinic.name}
      clinicPhone={config.clinic.phone}
    >
      <h1>{t(language, 'instructions.title')}</h1>
      {input.readinessAction && input.readiness?.step !== 'closed' ? (
        <ReadinessForm
          language={language}
          action={input.readinessAction}
          clinicName={config.clinic.name}
          clinicPhone={config.clinic.phone}
          state={input.readiness ?? { step: 'ask' }}
        />
      ) : null}
      <InstructionsBody blocks={blocks} />
    </PatientDocument>
  );
}

/** The instructions as a whole page; see `InstructionsPage`. */
export function renderInstructionsPage(input: InstructionsPageInput): string {
  return renderPage(<InstructionsPage {...input} />);
}

/**
 * The readiness questions under the instructions (DESIGN section 11): three yes-or-no questions, posted to
 * the page's own link. A "no" (or a new medicine) tells the patient the clinic will call.
 */
export function ReadinessForm(props: {
  language: Language;
  action: string;
  clinicName: string;
  clinicPhone: string;
  state: ReadinessFormState;
}): VNode {
  const { language, state } = props;
  const errors: ShownError[] =
    state.step === 'missing'
      ? state.missing.map((field) => ({
          field,
          id: `${field}-error`,
          anchor: field,
          message: t(language, `readiness.error.${field}`),
        }))
      : [];
  const values = state.step === 'ask' || state.step === 'closed' ? {} : state.values;
  const options = [
    { value: 'yes', label: t(language, 'form.yes') },
    { value: 'no', label: t(language, 'form.no') },
  ];
  return (
    <section aria-labelledby="readiness-title">
      <h2 id="readiness-title">{t(language, 'readiness.title')}</h2>
      {state.step === 'answered' ? (
        <p class="notice" role="status">
          {state.concern
            ? t(language, 'readiness.concern', { clinicName: props.clinicName, phone: props.clinicPhone })
            : t(language, 'readiness.thanks')}
        </p>
      ) : (
        <p>{t(language, 'readiness.intro')}</p>
      )}
      <ErrorSummary language={language} errors={errors} />
      <form method="post" action={props.action} novalidate autocomplete="off" accept-charset="utf-8">
        {READINESS_FIELDS.map((field) => (
          <RadioGroup
            language={language}
            name={field}
            legend={t(language, `readiness.${field}`)}
            required
            options={options}
            checked={values[field]}
            layout="two"
            error={errors.find((error) => error.field === field)}
          />
        ))}
        <button type="submit" class="button">
          {t(language, 'form.submit')}
        </button>
      </form>
    </section>
  );
}
