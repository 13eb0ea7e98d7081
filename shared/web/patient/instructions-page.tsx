import type { ComponentChildren, VNode } from 'preact';
import type { FullBooking, Language } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { InlineLine, Lines } from '../../domain/messages/email-html';
import { type BodyBlock, emailContent, type Inline } from '../../domain/messages/templates';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { PatientDocument } from './patient-document';

export interface InstructionsPageInput {
  language: Language;
  config: ClinicConfig;
  booking: FullBooking;
  /** This page's own URL, for a template that uses `{{link}}`. */
  link?: string;
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
      <InstructionsBody blocks={blocks} />
    </PatientDocument>
  );
}

/** The instructions as a whole page; see `InstructionsPage`. */
export function renderInstructionsPage(input: InstructionsPageInput): string {
  return renderPage(<InstructionsPage {...input} />);
}
