/**
 * A staff member signed in to a local runtime's console over plain HTTP:
 * the whole OpenID flow (console -> local provider -> login form -> callback)
 * with a cookie jar, as a browser would, without a browser.
 */
export interface ConsoleSession {
  get(path: string): Promise<{ status: number; text: string; location?: string; headers: Headers }>;
  /** Posts a console form with the session's CSRF token (taken from `fromPage`). */
  postForm(
    path: string,
    fields: Record<string, string>,
    fromPage: string,
  ): Promise<{ status: number; location?: string }>;
}

export async function signInOverHttp(
  baseUrl: string,
  email: string,
  password: string,
): Promise<ConsoleSession> {
  const jar = new Map<string, string>();
  const remember = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = (pair ?? '').indexOf('=');
      if (index > 0) jar.set((pair ?? '').slice(0, index), (pair ?? '').slice(index + 1));
    }
  };
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, baseUrl), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() },
    });
    remember(response);
    return response;
  };
  /** Follows redirects like a browser, carrying the cookies; answers the last response. */
  const follow = async (first: Response) => {
    let response = first;
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      response = await send(response.headers.get('location') ?? '/');
    }
    return response;
  };

  const login = await follow(await send('/console'));
  const action = /action="(\/oidc\/interaction\/[^"]+\/login)"/.exec(await login.text())?.[1];
  if (!action) throw new Error('no local sign-in form');
  const signedIn = await follow(
    await send(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
    }),
  );
  if (signedIn.status !== 200) throw new Error(`sign-in ended with ${signedIn.status}`);

  return {
    async get(path) {
      const response = await send(path);
      const location = response.headers.get('location') ?? undefined;
      return {
        status: response.status,
        text: await response.text(),
        headers: response.headers,
        ...(location ? { location } : {}),
      };
    },
    async postForm(path, fields, fromPage) {
      const csrf = /name="csrf" value="([^"]+)"/.exec(fromPage)?.[1] ?? '';
      const response = await send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, csrf }).toString(),
      });
      const location = response.headers.get('location') ?? undefined;
      return { status: response.status, ...(location ? { location } : {}) };
    },
  };
}
