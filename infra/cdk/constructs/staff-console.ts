import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  CfnManagedLoginBranding,
  type IUserPool,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../../shared/contracts/env';
import { departDeliberately } from '../deliberate-choices';
import { ProjectFunction } from './project-function';

export interface StaffConsoleProps {
  /** The staff user pool (stateful stack). */
  readonly userPool: IUserPool;
  /** The service table: alerts, replies, bookings, sessions, audit items. */
  readonly table: ITable;
  /** The HTTP API the console's routes are added to (the same API and domain as patient links). */
  readonly api: HttpApi;
  /** The console's origin as staff reach it: `links.baseUrl`, else the API's own URL. */
  readonly baseUrl: string;
  /** Encrypts the session secret, the function's logs and its failure queue. */
  readonly key: IKey;
  /**
   * The managed-login domain prefix (`https://<prefix>.auth.<region>.amazoncognito.com`), unique in the region.
   * @default `ketamine-followup-<account id>`
   */
  readonly signInDomainPrefix?: string;
}

/**
 * The staff console on AWS (DESIGN section 10): Cognito's managed login as the OpenID provider, one public
 * app client (authorization code with PKCE, no secret) whose only callback and sign-out URLs are the
 * console's, the session-encryption secret, the console function and its routes `/console` and
 * `/console/{proxy+}` on the HTTP API.
 */
export class StaffConsole extends Construct {
  /** The console's routes on the HTTP API (the stage's route budgets name them). */
  readonly routes: HttpRoute[];
  readonly handler: ProjectFunction;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly sessionSecret: Secret;
  /** The console's front page. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: StaffConsoleProps) {
    super(scope, id);
    const base = props.baseUrl.replace(/\/+$/, '');
    this.url = `${base}/console`;

    this.domain = new UserPoolDomain(this, 'SignIn', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.signInDomainPrefix ?? `ketamine-followup-${Aws.ACCOUNT_ID}` },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'staff-console',
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${base}/console/callback`],
        logoutUrls: [`${base}/console/signed-out`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // The console keeps its own server-side session; the ID token is read once at sign-in.
      idTokenValidity: Duration.minutes(60),
      accessTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.minutes(60),
    });
    // The newer managed login shows nothing without a style for the client; Cognito's own look is enough.
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    // Names the cookie that names the session; replacing it signs every staff member out, nothing more.
    this.sessionSecret = new Secret(this, 'SessionSecret', {
      description: 'Encrypts the staff console session cookie',
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    for (const findingId of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
      Validations.of(this.sessionSecret).acknowledge({
        id: findingId,
        reason:
          'Rotated by replacing its value (runbook "Staff console"): the only effect is that staff sign in again. ' +
          'A rotation function would add a Lambda and its cost for that.',
      });
    }

    this.handler = new ProjectFunction(this, 'ConsoleHttp', {
      entry: 'functions/handle-console-http.ts',
      description: 'Staff console: Cognito sign-in, sessions, alerts and actions, audit trail',
      key: props.key,
      timeout: Duration.seconds(15),
    });
    // Alerts, replies, bookings, sessions and audit items; the console's lists by their index only.
    this.handler.bindTable(props.table);
    this.handler.bindSecretRead(ENV.consoleSessionSecretArn, this.sessionSecret);
    this.handler.setEnv(ENV.consoleBaseUrl, base);
    this.handler.setEnv(
      ENV.oidcIssuer,
      `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${props.userPool.userPoolId}`,
    );
    this.handler.setEnv(ENV.oidcClientId, this.client.userPoolClientId);
    this.handler.setEnv(
      ENV.oidcLogoutUrl,
      `https://${this.domain.domainName}.auth.${Stack.of(this).region}.amazoncognito.com/logout`,
    );

    const integration = new HttpLambdaIntegration('ConsoleHttp', this.handler.fn);
    this.routes = [
      ...props.api.addRoutes({ path: '/console', methods: [HttpMethod.GET], integration }),
      ...props.api.addRoutes({
        path: '/console/{proxy+}',
        methods: [HttpMethod.GET, HttpMethod.POST],
        integration,
      }),
    ];
    // The function signs staff in through the user pool and checks the session on every request.
    for (const route of this.routes) departDeliberately(route, 'route-authenticates-caller');
  }
}
