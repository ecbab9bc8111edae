// A certified OpenID Provider (oidc-provider) started in-process on a local
// port, with a client registered for the service (PKCE required) and its
// development interactions (a login form taking any account id, then
// consent), which signInAt() completes over HTTP as a browser would.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import startFn from '../../netlify/functions/auth-provider-start.ts';
import { BASE_URL, call, type CallResult } from './call.ts';
import { resetSettings } from '../../src/config/settings.ts';

export const CLIENT_ID = 'auth-service';
export const CLIENT_SECRET = 'a-client-secret-for-the-tests-only-0123456789';
/** The provider's id in this service's configuration (OIDC_PROVIDERS). */
export const PROVIDER_ID = 'local';

export interface LocalProvider {
  issuer: string;
  /** The claims each account id signs in with. */
  accounts: Map<string, { email?: string; email_verified?: boolean }>;
  /** OIDC_* settings naming it. */
  env: Record<string, string>;
  close: () => Promise<void>;
}

/** `serviceUrl`: the origin its client's redirect URI is on (the browser suite's `netlify dev`, not the in-process calls' BASE_URL). */
export async function startLocalProvider(serviceUrl = BASE_URL): Promise<LocalProvider> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, { email?: string; email_verified?: boolean }>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${serviceUrl}/api/auth/${PROVIDER_ID}/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, ...accounts.get(id) }) }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-cookie-key'] },
  });
  handle = provider.callback();
  server.unref();
  return {
    issuer,
    accounts,
    env: {
      OIDC_PROVIDERS: PROVIDER_ID,
      [`OIDC_${PROVIDER_ID.toUpperCase()}_ISSUER`]: issuer,
      [`OIDC_${PROVIDER_ID.toUpperCase()}_CLIENT_ID`]: CLIENT_ID,
      [`OIDC_${PROVIDER_ID.toUpperCase()}_CLIENT_SECRET`]: CLIENT_SECRET,
      [`OIDC_${PROVIDER_ID.toUpperCase()}_NAME`]: 'Local provider',
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let shared: Promise<LocalProvider> | undefined;

/**
 * One provider for the process, its settings applied (the benchmark's
 * scenarios and the test of declared counts): never closed, it does not keep
 * the process alive.
 */
export function sharedLocalProvider(): Promise<LocalProvider> {
  shared ??= startLocalProvider().then((provider) => {
    // For good, so not setEnv: env.ts imports vitest, which the benches (outside vitest) cannot load.
    Object.assign(process.env, provider.env);
    resetSettings();
    return provider;
  });
  return shared;
}

/** The value of cookie `name` a response sets, if any. */
export function cookieSet(res: { headers: Headers }, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    if (pair!.startsWith(`${name}=`)) return pair!.slice(name.length + 1);
  }
  return undefined;
}

/**
 * The provider's side of a sign-in, as a browser goes through it: from the
 * authorization URL through the login (as `account`) and consent forms, to
 * the redirect back to the service; returns that callback's path and query.
 */
export async function approveAt(authorizationUrl: string, account: string): Promise<string> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  let url = authorizationUrl;
  let res = await send(url);
  for (let step = 0; step < 12; step++) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).href;
      await res.arrayBuffer();
      if (next.startsWith(BASE_URL)) return next.slice(BASE_URL.length);
      url = next;
      res = await send(url);
      continue;
    }
    const page = await res.text();
    // A plain throw, not vitest's expect: the benches (outside vitest) import this module.
    if (res.status !== 200) throw new Error(`the provider answered ${res.status}: ${page.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    const form = new URLSearchParams({ prompt: prompt! });
    if (prompt === 'login') {
      form.set('login', account);
      form.set('password', 'any');
    }
    res = await send(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  throw new Error('the provider never sent the browser back');
}

/** GET /api/auth/<provider>/start: its redirect and the state cookie it set. */
export async function startAt(
  provider = PROVIDER_ID,
  returnTo?: string,
  ip?: string,
): Promise<{ res: CallResult; location: string; state: string }> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const res = await call(startFn, 'GET', `/api/auth/${provider}/start${query}`, ip === undefined ? {} : { ip });
  if (res.status !== 302) throw new Error(`start answered ${res.status}: ${res.text}`);
  return { res, location: res.headers.get('location')!, state: cookieSet(res, 'federation_state')! };
}
