import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { BodyBlock, Inline } from './templates';

/*
 * The HTML of every email, as components the renderer escapes. Mail clients
 * drop stylesheets, so styles are inline here (pages use a hashed sheet).
 */

const LINK_STYLE = 'color:#0b5394';

/** One inline of a body line: text, or a link styled for mail clients. */
export function EmailInline(props: { inline: Inline }): ComponentChildren {
  const { inline } = props;
  return 'href' in inline ? (
    <a href={inline.href} style={LINK_STYLE}>
      {inline.label}
    </a>
  ) : (
    inline.text
  );
}

/** A line of inlines; lines of one paragraph are separated by `<br>`. */
export function InlineLine(props: {
  line: readonly Inline[];
  Part?: (props: { inline: Inline }) => ComponentChildren;
}) {
  const Part = props.Part ?? EmailInline;
  return (
    <>
      {props.line.map((inline) => (
        <Part inline={inline} />
      ))}
    </>
  );
}

/** Paragraph lines joined by line breaks. */
export function Lines(props: {
  lines: readonly (readonly Inline[])[];
  Part?: (props: { inline: Inline }) => ComponentChildren;
}) {
  return (
    <>
      {props.lines.map((line, index) => (
        <>
          {index > 0 ? <br /> : null}
          <InlineLine line={line} Part={props.Part} />
        </>
      ))}
    </>
  );
}

/** A template body's blocks as email paragraphs and lists. */
export function EmailBody(props: { blocks: readonly BodyBlock[] }): VNode {
  return (
    <>
      {props.blocks.map((block) =>
        block.type === 'paragraph' ? (
          <p style="margin:0 0 16px">
            <Lines lines={block.lines} />
          </p>
        ) : (
          <ul style="margin:0 0 16px;padding-left:24px">
            {block.items.map((item) => (
              <li>
                <InlineLine line={item} />
              </li>
            ))}
          </ul>
        ),
      )}
    </>
  );
}

/** The skeleton of every HTML email: one readable column, the subject as its label. */
export function EmailDocument(props: {
  language: string;
  subject: string;
  children: ComponentChildren;
}): VNode {
  return (
    <html lang={props.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#ffffff">
        {/* biome-ignore lint/a11y/useSemanticElements: mail clients restyle or drop <article>; a div with the role is what screen readers get reliably in email */}
        <div
          role="article"
          aria-label={props.subject}
          lang={props.language}
          style="max-width:600px;margin:0 auto;padding:24px;color:#1f2933;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5"
        >
          {props.children}
        </div>
      </body>
    </html>
  );
}

/** A whole email as HTML text: the doctype, then the document. */
export function renderEmailDocument(email: VNode): string {
  return `<!DOCTYPE html>\n${renderToString(email)}\n`;
}

/** The HTML of a booking's email: its body blocks in the email skeleton. */
export function renderEmailHtml(language: string, subject: string, blocks: readonly BodyBlock[]): string {
  return renderEmailDocument(
    <EmailDocument language={language} subject={subject}>
      <EmailBody blocks={blocks} />
    </EmailDocument>,
  );
}
