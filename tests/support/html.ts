/** Text as the page renderer (preact-render-to-string) escapes it, in element content and attribute values. */
export function escapedText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Entities back to characters: the named ones the renderer writes, and numeric ones. */
export function decodeEntities(html: string): string {
  return html
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** What a reader sees: no head, no tags, entities decoded, white space collapsed. */
export function visibleText(html: string): string {
  return decodeEntities(html.replace(/<head>[\s\S]*<\/head>/, '').replace(/<[^>]+>/g, '')).replace(
    /\s+/g,
    ' ',
  );
}
