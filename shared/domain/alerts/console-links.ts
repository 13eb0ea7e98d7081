/*
 * Where staff messages point (DESIGN sections 8 and 10): pages of the staff
 * console, which show nothing without sign-in. A link is an address, never a
 * credential, so forwarding a message gives away nothing.
 */

function base(linkBaseUrl: string): string {
  return linkBaseUrl.replace(/\/+$/, '');
}

/** The console page of one alert: `<base>/console/alerts/<alertId>`. */
export function alertConsoleUrl(linkBaseUrl: string, alertId: string): string {
  return `${base(linkBaseUrl)}/console/alerts/${encodeURIComponent(alertId)}`;
}

/** The console page of one check-in reply: `<base>/console/replies/<bookingId>/<replyId>`. */
export function replyConsoleUrl(linkBaseUrl: string, bookingId: string, replyId: string): string {
  return `${base(linkBaseUrl)}/console/replies/${encodeURIComponent(bookingId)}/${encodeURIComponent(replyId)}`;
}

/** The console's review list (replies and missed check-ins): `<base>/console/review`. */
export function reviewConsoleUrl(linkBaseUrl: string): string {
  return `${base(linkBaseUrl)}/console/review`;
}
