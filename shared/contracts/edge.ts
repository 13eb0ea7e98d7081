import { timingSafeEqual } from 'node:crypto';

/** The header CloudFront adds to every request it forwards; its value is the origin-proof secret. */
export const EDGE_ORIGIN_HEADER = 'x-origin-proof';
/** CloudFront's header with the viewer's `ip:port` (the gateway's source IP is CloudFront's own). */
export const EDGE_VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/**
 * Whether a request came through the edge: its origin-proof header equals `expected`, compared in constant
 * time. With no edge configured (`expected` undefined) every request passes.
 */
export function cameThroughEdge(
  headers: Readonly<Record<string, string | undefined>>,
  expected: string | undefined,
): boolean {
  if (expected === undefined) return true;
  const given = headers[EDGE_ORIGIN_HEADER];
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The viewer's IP from `CloudFront-Viewer-Address` (`198.51.100.7:443`, `2001:db8::1:443`): everything before
 * the last colon. Undefined when the header is absent or malformed.
 */
export function viewerIp(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const cut = address.lastIndexOf(':');
  if (cut <= 0 || !/^\d{1,5}$/.test(address.slice(cut + 1))) return undefined;
  const ip = address.slice(0, cut);
  return /^[0-9a-fA-F.:]{2,45}$/.test(ip) ? ip : undefined;
}

/** The answer to a request that skipped the edge: nothing is read; a patient who got here still sees the crisis lines. */
export const NOT_THROUGH_EDGE = {
  statusCode: 403,
  headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  body:
    "Please open the link from your clinic's message.\n" +
    'If you are in crisis, call or text 988 (Suicide & Crisis Lifeline). In an emergency, call 911.\n',
} as const;

/**
 * The address to audit: behind the edge the gateway's source IP is CloudFront's, so the viewer's address from
 * CloudFront's header (trusted only because the request carried the proof); without the edge, the source IP.
 */
export function requesterIp(
  headers: Readonly<Record<string, string | undefined>>,
  sourceIp: string,
  behindEdge: boolean,
): string {
  return (behindEdge ? viewerIp(headers[EDGE_VIEWER_ADDRESS_HEADER]) : undefined) ?? sourceIp;
}
