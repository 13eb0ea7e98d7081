import { createHash } from 'node:crypto';

/*
 * The stylesheets of every page, each inlined as one `<style>` block and
 * allowed by its hash in the CSP; and the response headers that go with them.
 */

/**
 * The one stylesheet of every patient page, inlined as a `<style>` block and
 * allowed by its hash in the CSP. Mobile first (works at 320 px), text and
 * controls at 16 px or more (no iOS zoom), tap targets of 44 px or more,
 * WCAG AA contrast, visible focus, no motion when the patient asks for less.
 */
export const PAGE_STYLE = [
  ':root{color-scheme:light}',
  '*,*::before,*::after{box-sizing:border-box}',
  'html{font-size:100%;-webkit-text-size-adjust:100%;text-size-adjust:100%}',
  'body{margin:0;background:#fff;color:#1f2933;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:1.125rem;line-height:1.5;overflow-wrap:break-word}',
  'input,textarea,button,select{font:inherit;font-size:max(1rem,100%)}',
  '.site-header{background:#0b3d6b;color:#fff;padding:.75rem 1rem}',
  '.site-header p{max-width:40rem;margin:0 auto;font-weight:700}',
  'main{display:block;max-width:40rem;margin:0 auto;padding:1rem 1rem 2.5rem}',
  'h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}',
  'h2{font-size:1.375rem;line-height:1.3;margin:2rem 0 .75rem}',
  'h3{font-size:1.25rem;line-height:1.3;margin:1.75rem 0 .5rem}',
  'p,ul,ol{margin:0 0 1rem}',
  'ul,ol{padding-left:1.5rem}',
  'li{margin-bottom:.25rem}',
  'a{color:#0b5394;text-decoration:underline;text-underline-offset:.15em}',
  'a:hover{text-decoration-thickness:.15em}',
  ':focus-visible{outline:3px solid #0b5394;outline-offset:3px}',
  '.title-es{display:block}',
  '.emergency{border-left:.375rem solid #a4161a;background:#fdf0f0;padding:.75rem 1rem;margin:0 0 1.5rem}',
  '.emergency a{color:#8a1116;font-weight:700}',
  '.lead{font-size:1.25rem;font-weight:700}',
  '.small{color:#4a5561}',
  '.small a{color:#0b5394}',
  '.lang-block+.lang-block{border-top:1px solid #d5dbe1;padding-top:1rem;margin-top:1.5rem}',
  'fieldset{border:0;margin:0;padding:0;min-width:0}',
  'legend{display:block;max-width:100%;white-space:normal;padding:0;margin:0 0 .5rem;font-weight:700}',
  '.legend-lg{font-size:1.375rem;line-height:1.3}',
  '.label{display:block;font-weight:700;margin:0 0 .5rem}',
  '.required{font-weight:400;color:#4a5561}',
  '.hint{color:#4a5561;margin:0 0 .75rem}',
  '.option+.hint{margin:.5rem 0 0}',
  '.field{margin:0 0 1.75rem}',
  '.has-error{border-left:.25rem solid #b00020;padding-left:.75rem}',
  '.field-error{color:#b00020;font-weight:700;margin:0 0 .75rem}',
  // Follow-up questions: shown only when the question above calls for them (no script; shown anyway where :has is unknown).
  '.follow-up{margin-top:-1rem;padding-left:.75rem;border-left:.25rem solid #6b7785}',
  '.field:has(input[value="none"]:checked)+.when-not-none{display:none}',
  '.field:not(:has(input[value="yes"]:checked))+.when-yes{display:none}',
  '.severity-definitions{padding-left:1.25rem}',
  '.urgent-lead{font-size:1.25rem;font-weight:700;border:3px solid #a4161a;border-radius:.5rem;padding:1rem;margin:0 0 1.25rem}',
  '.options{display:grid;gap:.5rem;grid-template-columns:repeat(2,minmax(0,1fr))}',
  '.options-scale{grid-template-columns:repeat(4,minmax(0,1fr))}',
  '@media (min-width:26em){.options-scale{grid-template-columns:repeat(6,minmax(0,1fr))}}',
  '@media (min-width:40em){.options-scale{grid-template-columns:repeat(11,minmax(0,1fr))}}',
  '.options-stack{grid-template-columns:minmax(0,1fr)}',
  '@media (min-width:30em){.options-four{grid-template-columns:repeat(4,minmax(0,1fr))}.options-stack{grid-template-columns:repeat(2,minmax(0,1fr))}}',
  '.option{display:flex;align-items:center;gap:.625rem;min-height:2.75rem;margin:0;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;cursor:pointer;font-weight:400}',
  '.options-scale .option{flex-direction:column;justify-content:center;gap:.25rem;padding:.5rem .25rem;text-align:center}',
  '.option input{flex:none;width:1.375rem;height:1.375rem;margin:0;accent-color:#0b5394}',
  '.option:has(input:checked){border-color:#0b5394;background:#e8f0fa;font-weight:700}',
  '.option:focus-within{outline:3px solid #0b5394;outline-offset:2px}',
  '.option input:focus-visible{outline:none}',
  'textarea{display:block;width:100%;min-height:8rem;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;color:#1f2933;resize:vertical}',
  'textarea[aria-invalid="true"]{border-color:#b00020}',
  '.error-summary{border:3px solid #b00020;border-radius:.5rem;padding:1rem;margin:0 0 1.5rem}',
  '.error-summary h2{margin-top:0}',
  '.error-summary a{color:#b00020;font-weight:700}',
  '.button{display:flex;align-items:center;justify-content:center;width:100%;min-height:3rem;margin:0 0 .75rem;padding:.75rem 1rem;border:2px solid #0b5394;border-radius:.5rem;background:#0b5394;color:#fff;font-weight:700;text-align:center;text-decoration:none;cursor:pointer}',
  '.button:hover{background:#083f70;border-color:#083f70;color:#fff}',
  '.button-danger{background:#a4161a;border-color:#a4161a}',
  '.button-danger:hover{background:#7f1114;border-color:#7f1114}',
  '.button-secondary{background:#fff;color:#0b5394}',
  '.button-secondary:hover{background:#e8f0fa;color:#083f70}',
  '.resources{list-style:none;padding:0;margin:0 0 1.5rem}',
  '.resource{margin:0 0 1.25rem}',
  '.resource-label{font-weight:700;margin:0 0 .5rem}',
  '.site-footer{border-top:1px solid #d5dbe1}',
  '.site-footer p{max-width:40rem;margin:0 auto;padding:1rem;color:#4a5561}',
  '.nowrap{white-space:nowrap}',
  '.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0}',
  '@media (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}',
  '@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}',
].join('\n');

/** The CSP source that allows exactly `PAGE_STYLE`, computed once at module load. */
export const PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}`;

/**
 * Response headers for a page whose only style is the one with `styleHash`:
 * no script at all, forms post to our own origin (and `formTargets`, origins
 * a form's answer may redirect to), never framed, never cached, no referrer
 * (the URL is a secret).
 */
export function pageSecurityHeaders(
  styleHash: string,
  formTargets: readonly string[] = [],
): Readonly<Record<string, string>> {
  const formAction = ["'self'", ...formTargets].join(' ');
  return {
    'Content-Security-Policy': `default-src 'none'; style-src '${styleHash}'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Strict-Transport-Security': 'max-age=63072000',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** Response headers for every patient page (and the JSON answers of the same URL). */
export const PAGE_SECURITY_HEADERS = pageSecurityHeaders(PAGE_STYLE_HASH);

/**
 * The stylesheet of every staff page: the patient pages' `PAGE_STYLE` (same
 * look, contrast, focus and tap targets) plus what staff pages add: status
 * banners, answer lists, the note, a text input and screener tables.
 */
export const STAFF_PAGE_STYLE = [
  PAGE_STYLE,
  '.status{border-left:.375rem solid #6b7785;background:#f4f6f8;padding:.75rem 1rem;margin:0 0 1.5rem}',
  '.status p:last-child{margin-bottom:0}',
  '.status-urgent{border-color:#a4161a;background:#fdf0f0}',
  '.status-done{border-color:#1b6e3a;background:#edf7f0}',
  '.answers{margin:0 0 1rem}',
  '.answers dt{font-weight:700;margin:1rem 0 .25rem}',
  '.answers dd{margin:0}',
  '.answers ul{margin:0}',
  '.flag{color:#8a1116;font-weight:700}',
  '.note{border-left:.25rem solid #6b7785;background:#f4f6f8;margin:0;padding:.5rem .75rem}',
  'code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1rem;overflow-wrap:anywhere}',
  'input[type="text"]{display:block;width:100%;min-height:2.75rem;margin:0 0 1rem;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;color:#1f2933}',
  'table{border-collapse:collapse;width:100%;margin:0 0 1rem}',
  'th,td{text-align:left;vertical-align:top;padding:.375rem .5rem;border-bottom:1px solid #d5dbe1}',
  'summary{cursor:pointer;min-height:2.75rem;padding:.5rem 0;color:#0b5394;font-weight:700}',
].join('\n');

/** The CSP source that allows exactly `STAFF_PAGE_STYLE`, computed once at module load. */
export const STAFF_PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(STAFF_PAGE_STYLE, 'utf8').digest('base64')}`;

/**
 * Response headers for every staff page (and the JSON answers of the same
 * URL). Use these, not `PAGE_SECURITY_HEADERS`: the style hash differs.
 */
export const STAFF_PAGE_SECURITY_HEADERS = pageSecurityHeaders(STAFF_PAGE_STYLE_HASH);

/**
 * The stylesheet of the staff console: the staff pages' plus navigation,
 * lists of alerts, highlighted answers and the outcome form.
 */
export const CONSOLE_STYLE = [
  STAFF_PAGE_STYLE,
  '.site-header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}',
  '.site-header p{margin:0;max-width:none}',
  '.console-nav ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;margin:0;padding:0}',
  '.console-nav a{color:#fff;display:inline-block;min-height:2.75rem;padding:.625rem .25rem}',
  '.console-nav a[aria-current="page"]{font-weight:700;text-decoration-thickness:.2em}',
  '.who{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;font-size:1rem}',
  '.who form{margin:0}',
  '.link-button{background:none;border:2px solid #fff;border-radius:.5rem;color:#fff;min-height:2.75rem;padding:.375rem .75rem;cursor:pointer}',
  '.cards{list-style:none;padding:0;margin:0 0 1.5rem}',
  '.card{border:2px solid #d5dbe1;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}',
  '.card-urgent{border-color:#a4161a}',
  '.card h3{margin:0 0 .5rem}',
  '.card p{margin:0 0 .5rem}',
  '.meta{color:#4a5561;font-size:1rem}',
  'mark{background:#fff3b0;color:#1f2933;padding:0 .125rem}',
  '.protocol{border-left:.375rem solid #0b3d6b;background:#eef3f9;padding:.75rem 1rem;margin:0 0 1.5rem}',
  '.inline-fields{display:grid;gap:.5rem;grid-template-columns:repeat(2,minmax(0,1fr));margin:0 0 1rem}',
  'td,th{overflow-wrap:anywhere}',
  '.charts{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr))}',
  '.chart{margin:0 0 1.5rem}',
  '.chart svg{display:block;height:auto;max-width:100%;margin:0 0 .5rem}',
  '.chart figcaption{margin:0 0 .5rem}',
  '.timeline{padding-left:1.25rem}',
  '.timeline li{margin:0 0 .5rem}',
  '.pager{display:flex;flex-wrap:wrap;gap:1rem;margin:0 0 1.5rem}',
  '.pager a{display:inline-block;min-height:2.75rem;padding:.625rem 0}',
  'input[type="date"]{display:block;min-height:2.75rem;margin:0 0 1rem;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;color:#1f2933}',
].join('\n');

/** The CSP source that allows exactly `CONSOLE_STYLE`. */
export const CONSOLE_STYLE_HASH = `sha256-${createHash('sha256').update(CONSOLE_STYLE, 'utf8').digest('base64')}`;
