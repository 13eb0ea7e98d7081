import { timingSafeEqual } from 'node:crypto';

/** The header CloudFront adds to every request it forwards; its value is the origin-proof secret. */
export const EDGE_ORIGIN_HEADER = 'x-origin-proof';
/** Which generation of the proof CloudFront was deployed with (the proof's rotation, README "Optional edge"). */
export const EDGE_PROOF_GENERATION_HEADER = 'x-origin-proof-generation';
/** CloudFront's header with the viewer's `ip:port` (the gateway's source IP is CloudFront's own). */
export const EDGE_VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/**
 * What the edge check makes of a request: it came through CloudFront (`through`), it carried no proof
 * (`missing`: someone calling the origin domain directly), or a proof we no longer take (`stale`: the
 * functions and CloudFront disagree, a rotation half done).
 */
export type EdgeVerdict = 'through' | 'missing' | 'stale';

/**
 * Checks the origin-proof header against the values taken (the secret's current and previous versions),
 * in constant time per value. With no edge configured (`accepted` undefined) every request passes.
 */
export function edgeVerdict(
  headers: Readonly<Record<string, string | undefined>>,
  accepted: readonly string[] | undefined,
): EdgeVerdict {
  if (accepted === undefined) return 'through';
  const given = headers[EDGE_ORIGIN_HEADER];
  if (given === undefined || given === '') return 'missing';
  const a = Buffer.from(given);
  // Every value is compared, so the time taken does not say which one matched.
  let match = false;
  for (const value of accepted) {
    const b = Buffer.from(value);
    if (a.length === b.length && timingSafeEqual(a, b)) match = true;
  }
  return match ? 'through' : 'stale';
}

/** Where the functions get the values taken, when the edge is on (Secrets Manager on AWS). */
export interface OriginProofSource {
  /** The values taken now; undefined when they cannot be read (the check is then skipped: see the adapter). */
  accepted(): Promise<readonly string[] | undefined>;
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

/** The answer to a request that skipped the edge: nothing is read; a patient who got here still sees the crisis lines. */
export const NOT_THROUGH_EDGE = {
  statusCode: 403,
  headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  body:
    "Please open the link from your clinic's message.\n" +
    'If you are in crisis, call or text 988 (Suicide & Crisis Lifeline). In an emergency, call 911.\n' +
    'Si está en crisis, llame o envíe un mensaje de texto al 988. En una emergencia, llame al 911.\n',
} as const;
