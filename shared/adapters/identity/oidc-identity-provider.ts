import * as oidc from 'openid-client';
import type { IdentityProvider, SignInStart } from '../../domain/console/ports';

export interface OidcIdentityProviderOptions {
  /** The provider's issuer URL: the Cognito user pool's, or the local provider's. */
  issuer: string;
  clientId: string;
  /** Where the provider sends the browser back with a code: `${base}/console/callback`. */
  redirectUri: string;
  /**
   * The provider's sign-out page when discovery names none (Cognito's managed
   * login: `https://<domain>/logout`); it gets `client_id` and `logout_uri`.
   */
  logoutUrl?: string;
  /** Plain http is accepted only for a provider on loopback (the local runtime). */
  allowLoopbackHttp?: boolean;
}

/**
 * The console as an OpenID Connect relying party: authorization code with
 * PKCE, a public client (no secret), the ID token checked by openid-client
 * (issuer, audience, expiry, nonce). Discovery runs once per container.
 */
export class OidcIdentityProvider implements IdentityProvider {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: OidcIdentityProviderOptions) {}

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      // A failed discovery is tried again on the next sign-in, not remembered.
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.options.issuer);
    const loopback =
      issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    if (issuer.protocol === 'http:' && !(loopback && this.options.allowLoopbackHttp)) {
      return Promise.reject(new Error('the identity provider must be reached over https'));
    }
    return oidc.discovery(
      issuer,
      this.options.clientId,
      undefined,
      oidc.None(),
      loopback ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  }

  async startSignIn(): Promise<SignInStart> {
    const config = await this.config();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, codeVerifier, nonce };
  }

  async finishSignIn(
    callbackUrl: string,
    expected: { state: string; codeVerifier: string; nonce: string },
  ): Promise<{ claims: Record<string, unknown>; idToken?: string }> {
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the identity provider answered without an ID token');
    return { claims: { ...claims }, ...(tokens.id_token ? { idToken: tokens.id_token } : {}) };
  }

  async signOutUrl(opts: { idToken?: string; returnTo: string }): Promise<string> {
    if (this.options.logoutUrl) {
      const url = new URL(this.options.logoutUrl);
      url.searchParams.set('client_id', this.options.clientId);
      url.searchParams.set('logout_uri', opts.returnTo);
      return url.href;
    }
    const config = await this.config();
    return oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: opts.returnTo,
      client_id: this.options.clientId,
      ...(opts.idToken ? { id_token_hint: opts.idToken } : {}),
    }).href;
  }
}
