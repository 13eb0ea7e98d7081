import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, {
  type Adapter,
  type AdapterPayload,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { ComponentChildren, VNode } from 'preact';
import { Document, renderPage } from '../../shared/web/layout';
import { pageSecurityHeaders, STAFF_PAGE_STYLE, STAFF_PAGE_STYLE_HASH } from '../../shared/web/styles';

/*
 * The local runtime's OpenID provider (DESIGN sections 6 and 10): a real
 * provider in-process at `/oidc`, so `npm start` signs staff in exactly as
 * Cognito does on AWS (authorization code with PKCE, an ID token with
 * `email`, `name` and `cognito:groups`). One account per group; no MFA
 * locally. Everything is kept in memory and ends with the process.
 */

/** The path the provider is mounted at; its issuer is the runtime's URL plus this. */
export const OIDC_PATH = '/oidc';
/** The console's client at the local provider. */
export const LOCAL_CLIENT_ID = 'console-local';

interface LocalAccount {
  email: string;
  name: string;
  groups: string[];
}

/** The local staff accounts, one per group (DESIGN section 6). */
export const LOCAL_STAFF: readonly LocalAccount[] = [
  { email: 'clinician@example.org', name: 'Casey Clinician', groups: ['clinician'] },
  { email: 'frontdesk@example.org', name: 'Frankie Front Desk', groups: ['front-desk'] },
  { email: 'admin@example.org', name: 'Avery Admin', groups: ['admin'] },
];

export interface LocalIdentityProvider {
  issuer: string;
  /** Answers the request when it is the provider's, and says whether it was. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/**
 * The provider's storage: in memory, like everything else of the local
 * runtime, with the expiry the provider asks for.
 */
type Stored = Map<string, { payload: AdapterPayload; expiresAt?: number }>;

class MemoryAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly items: Stored,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  private live(key: string): AdapterPayload | undefined {
    const item = this.items.get(key);
    if (!item) return undefined;
    if (item.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item.payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.items.set(this.key(id), {
      payload,
      ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.live(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const key of this.items.keys()) {
      const payload = key.startsWith(`${this.model}:`) ? this.live(key) : undefined;
      if (payload?.uid === uid) return payload;
    }
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const key of this.items.keys()) {
      const payload = key.startsWith(`${this.model}:`) ? this.live(key) : undefined;
      if (payload?.userCode === userCode) return payload;
    }
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = this.live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.items.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, item] of this.items) {
      if (item.payload.grantId === grantId) this.items.delete(key);
    }
  }
}

/** Starts the provider for a runtime at `baseUrl`; staff sign in with `password`. */
export async function localIdentityProvider(
  baseUrl: string,
  password: string,
): Promise<LocalIdentityProvider> {
  const issuer = `${baseUrl}${OIDC_PATH}`;
  const accounts = new Map(LOCAL_STAFF.map((account) => [account.email, account]));
  const stored: Stored = new Map();
  // A signing key of its own per start, so ID tokens are signed as Cognito's are (RS256).
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const configuration: Configuration = {
    adapter: (model: string) => new MemoryAdapter(model, stored),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256' }] },
    clients: [
      {
        client_id: LOCAL_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${baseUrl}/console/callback`],
        post_logout_redirect_uris: [`${baseUrl}/console/signed-out`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: {
      openid: ['sub', 'cognito:groups'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Put the claims in the ID token itself, as Cognito does.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `${OIDC_PATH}/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          'cognito:groups': account.groups,
        }),
      };
    },
    // Our own console is the one client: no consent screen, as with Cognito's managed login.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client;
      const accountId = ctx.oidc.session?.accountId;
      if (!client || !accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderPage(
        <ProviderPage title="Sign-in problem">
          <p>The sign-in could not go on: {String(out.error_description ?? out.error)}.</p>
          <p>
            <a href="/console">Back to the console</a>
          </p>
        </ProviderPage>,
      );
    },
    ttl: { Session: 12 * 3600, Interaction: 600, Grant: 12 * 3600 },
  };
  const provider = new Provider(issuer, configuration);
  // The runtime serves plain http on loopback; the provider must not insist on TLS there.
  provider.proxy = false;
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const login = /^\/interaction\/([^/]+)\/login$/.exec(path);
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && login) {
      const form = new URLSearchParams(await readBody(req));
      const email = (form.get('email') ?? '').trim().toLowerCase();
      const account = accounts.get(email);
      if (!account || !samePassword(form.get('password') ?? '', password)) {
        return sendPage(res, 401, <LoginPage uid={details.uid} email={email} failed />);
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.email } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    return sendPage(res, 200, <LoginPage uid={details.uid} email="" failed={false} />);
  }

  return {
    issuer,
    async handle(req, res) {
      const url = req.url ?? '/';
      if (url !== OIDC_PATH && !url.startsWith(`${OIDC_PATH}/`) && !url.startsWith(`${OIDC_PATH}?`))
        return false;
      const inner = url.slice(OIDC_PATH.length) || '/';
      const path = new URL(inner, 'http://local').pathname;
      if (path.startsWith('/interaction/')) {
        await interaction(req, res, path).catch(() =>
          sendPage(
            res,
            400,
            <ProviderPage title="Sign-in expired">
              <p>
                This sign-in has expired. <a href="/console">Start again from the console</a>.
              </p>
            </ProviderPage>,
          ),
        );
        return true;
      }
      // The provider sees its own paths; `originalUrl` keeps the links it builds under /oidc.
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = inner;
      await new Promise<void>((resolve) => {
        res.once('finish', () => resolve());
        res.once('close', () => resolve());
        callback(req, res);
      });
      return true;
    },
  };
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendPage(res: ServerResponse, status: number, page: VNode): void {
  res.writeHead(status, {
    ...pageSecurityHeaders(STAFF_PAGE_STYLE_HASH),
    'content-type': 'text/html; charset=utf-8',
  });
  res.end(renderPage(page));
}

function ProviderPage(props: { title: string; children: ComponentChildren }): VNode {
  return (
    <Document
      lang="en"
      title={`${props.title} – local sign-in`}
      style={STAFF_PAGE_STYLE}
      header={
        <header class="site-header">
          <p>Local sign-in (stands in for the clinic's Cognito sign-in)</p>
        </header>
      }
    >
      <h1>{props.title}</h1>
      {props.children}
    </Document>
  );
}

function LoginPage(props: { uid: string; email: string; failed: boolean }): VNode {
  return (
    <ProviderPage title="Sign in to the staff console">
      {props.failed ? (
        <div class="error-summary" role="alert">
          <p>That email and password do not match a local staff account.</p>
        </div>
      ) : null}
      <p class="hint">
        Local accounts: {LOCAL_STAFF.map((account) => account.email).join(', ')}. The password is printed when
        the runtime starts.
      </p>
      <form method="post" action={`${OIDC_PATH}/interaction/${props.uid}/login`} autocomplete="off">
        <label class="label" for="email">
          Email
        </label>
        <input type="text" id="email" name="email" value={props.email} autocomplete="username" required />
        <label class="label" for="password">
          Password
        </label>
        <input type="password" id="password" name="password" autocomplete="current-password" required />
        <button type="submit" class="button">
          Sign in
        </button>
      </form>
    </ProviderPage>
  );
}
