import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export interface DocumentProps {
  lang: string;
  title: string;
  /** The page's one stylesheet; the CSP allows it by its hash, so it must be the exact string hashed. */
  style: string;
  header?: ComponentChildren;
  footer?: ComponentChildren;
  children: ComponentChildren;
}

/**
 * The skeleton of every page, patient or staff: language, viewport, no
 * referrer, not indexed, one title, one inline style, banner, main and footer.
 */
export function Document(props: DocumentProps): VNode {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="format-detection" content="telephone=no" />
        <title>{props.title}</title>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the one stylesheet is our own constant, and the CSP hash must match its exact text, which escaping would change */}
        <style dangerouslySetInnerHTML={{ __html: props.style }} />
      </head>
      <body>
        {props.header}
        <main id="main">{props.children}</main>
        {props.footer}
      </body>
    </html>
  );
}

/** A whole page as the HTTP body: the doctype, then the document, escaped by the renderer. */
export function renderPage(page: VNode): string {
  return `<!DOCTYPE html>\n${renderToString(page)}\n`;
}
