// The client side of a sign-in at another provider, all through oauth4webapi
// (README: why that library): discovery, the authorization URL with PKCE
// (S256), state and nonce, the code exchange, the ID token's checks (iss,
// aud, exp, nonce, alg) and its signature against the issuer's keys; for
// GitHub, OAuth 2 and its user and e-mail APIs. Nothing here touches the
// database: sign-in.ts keeps the pending sign-in and the accounts.
import * as oauth from 'oauth4webapi';
import { HttpError } from '../../common/errors.ts';
import { setting, type IdentityProviderSetting } from '../../config/settings.ts';
import { log } from '../../log/log.ts';

/** GitHub is no OpenID Provider: its OAuth 2 endpoints, written down (they have no discovery document). */
const GITHUB: oauth.AuthorizationServer = {
  issuer: 'https://github.com',
  authorization_endpoint: 'https://github.com/login/oauth/authorize',
  token_endpoint: 'https://github.com/login/oauth/access_token',
};
const GITHUB_API = 'https://api.github.com';

/** What a provider says of the person, once every check passed. */
export interface Asserted {
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
}

/** The provider's part of a pending sign-in: what the callback needs back. */
export interface Pending {
  state: string;
  codeVerifier: string;
  nonce: string;
}

/**
 * Discovery documents, per process: a cache (every instance fetches its own,
 * and a failed fetch is forgotten), never the state of a sign-in.
 */
const discovered = new Map<string, Promise<oauth.AuthorizationServer>>();
/** The issuers' key sets, per process (oauth4webapi refreshes one when a token names a key it lacks). */
const keySets = new Map<string, oauth.JWKSCacheInput>();

/** Every request to a provider: the time-out, and plain http only for a local issuer in local development (the tests' provider). */
function requestOptions() {
  return {
    signal: AbortSignal.timeout(setting('identityProviderTimeoutMs')),
    [oauth.allowInsecureRequests]: setting('localDevelopment'),
  };
}

async function authorizationServer(provider: IdentityProviderSetting): Promise<oauth.AuthorizationServer> {
  if (provider.kind === 'github') return GITHUB;
  let server = discovered.get(provider.issuer);
  if (server === undefined) {
    const issuer = new URL(provider.issuer);
    server = oauth.discoveryRequest(issuer, requestOptions()).then((response) => oauth.processDiscoveryResponse(issuer, response));
    discovered.set(provider.issuer, server);
    server.catch(() => discovered.delete(provider.issuer));
  }
  return server;
}

const clientOf = (provider: IdentityProviderSetting): oauth.Client => ({ client_id: provider.clientId });

/** client_secret_basic, the default of OpenID Connect, unless the provider lists only client_secret_post (GitHub takes the latter). */
function clientAuth(provider: IdentityProviderSetting, server: oauth.AuthorizationServer): oauth.ClientAuth {
  const methods = server.token_endpoint_auth_methods_supported;
  const post =
    provider.kind === 'github' ||
    (methods !== undefined && !methods.includes('client_secret_basic') && methods.includes('client_secret_post'));
  return post ? oauth.ClientSecretPost(provider.clientSecret) : oauth.ClientSecretBasic(provider.clientSecret);
}

/**
 * What went wrong, as the client is told: a provider that did not answer in
 * time, could not be reached or answered 5xx is 503 provider_unavailable;
 * anything it refused or that failed a check is 401 federation_failed. One
 * log line names the provider and the kind of failure, never a token.
 */
function failure(provider: IdentityProviderSetting, error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const { name, code, status, cause } = error as { name?: string; code?: string; status?: number; cause?: unknown };
  const causeStatus = cause instanceof Response ? cause.status : undefined;
  const unavailable =
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (error instanceof TypeError && code === undefined) ||
    (status ?? causeStatus ?? 0) >= 500;
  log('warn', unavailable ? 'provider_unavailable' : 'federation_failed', { provider: provider.id, reason: code ?? name ?? 'unknown' });
  return new HttpError(unavailable ? 'provider_unavailable' : 'federation_failed');
}

/** Runs `work` against the provider, its failures made the client's answer. */
async function atProvider<T>(provider: IdentityProviderSetting, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw failure(provider, error);
  }
}

/** The provider's authorization URL for a new sign-in, and what its callback will need. */
export async function authorizationUrl(provider: IdentityProviderSetting, redirectUri: string): Promise<{ url: URL; pending: Pending }> {
  return atProvider(provider, async () => {
    const server = await authorizationServer(provider);
    if (server.authorization_endpoint === undefined) throw new HttpError('provider_unavailable');
    const pending = {
      state: oauth.generateRandomState(),
      codeVerifier: oauth.generateRandomCodeVerifier(),
      nonce: oauth.generateRandomNonce(),
    };
    const url = new URL(server.authorization_endpoint);
    url.searchParams.set('client_id', provider.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', provider.kind === 'github' ? 'read:user user:email' : 'openid email profile');
    url.searchParams.set('state', pending.state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    if (provider.kind === 'oidc') url.searchParams.set('nonce', pending.nonce);
    return { url, pending };
  });
}

/**
 * The callback's parameters checked against the pending sign-in (its state,
 * the provider's `iss` where it sends one), the code exchanged with the PKCE
 * verifier, and who the provider says signed in: from the ID token, verified
 * with the issuer's keys, for OpenID Connect (its `email` from the UserInfo
 * endpoint when the token has none); from the user and e-mail APIs for GitHub.
 */
export async function exchangeCode(
  provider: IdentityProviderSetting,
  callback: URLSearchParams,
  pending: Pending,
  redirectUri: string,
): Promise<Asserted> {
  return atProvider(provider, async () => {
    const server = await authorizationServer(provider);
    const client = clientOf(provider);
    const params = oauth.validateAuthResponse(server, client, callback, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      client,
      clientAuth(provider, server),
      params,
      redirectUri,
      pending.codeVerifier,
      requestOptions(),
    );
    if (provider.kind === 'github') return gitHubUser(await oauth.processAuthorizationCodeResponse(server, client, response));
    const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    const keys = keySets.get(provider.issuer) ?? {};
    keySets.set(provider.issuer, keys);
    await oauth.validateApplicationLevelSignature(server, response, { ...requestOptions(), [oauth.jwksCache]: keys });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    let { email, email_verified: verified } = claims;
    if (typeof email !== 'string' && server.userinfo_endpoint !== undefined) {
      const info = await oauth.processUserInfoResponse(
        server,
        client,
        claims.sub,
        await oauth.userInfoRequest(server, client, tokens.access_token, requestOptions()),
      );
      ({ email, email_verified: verified } = info);
    }
    return { subject: claims.sub, email: typeof email === 'string' ? email : undefined, emailVerified: verified === true };
  });
}

/** GitHub's user id (stable; the login can change) and its primary address, verified or not. */
async function gitHubUser(tokens: oauth.TokenEndpointResponse): Promise<Asserted> {
  const get = async (path: string) => {
    const headers = new Headers({ accept: 'application/vnd.github+json', 'user-agent': 'netlify-auth-service' });
    const response = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(path, GITHUB_API),
      headers,
      null,
      requestOptions(),
    );
    if (!response.ok)
      throw Object.assign(new Error(`GitHub ${path} answered ${response.status}`), { status: response.status, code: 'github_api' });
    return (await response.json()) as unknown;
  };
  const user = (await get('/user')) as { id?: unknown };
  const emails = (await get('/user/emails')) as { email?: unknown; primary?: unknown; verified?: unknown }[];
  if (typeof user.id !== 'number' || !Array.isArray(emails))
    throw Object.assign(new Error('GitHub answered another shape'), { code: 'github_api' });
  const primary = emails.find((entry) => entry.primary === true && typeof entry.email === 'string');
  return { subject: String(user.id), email: primary?.email as string | undefined, emailVerified: primary?.verified === true };
}
