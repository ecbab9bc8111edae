// Fuzzed input for every function of both surfaces: generated methods, paths,
// query strings, headers, credentials and bodies. Every answer is below 500,
// has its surface's error shape and leaks nothing; the database invariants
// hold after each route's run. ADVERSARIAL_FUZZ_RUNS sets the cases per function;
// ADVERSARIAL_FUZZ_SEED replays a run (every run prints its seed).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import changeEmail from '../../netlify/functions/me-email.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import { AccountGone, createSession } from '../../src/auth/sessions/sessions.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost } from '../../src/content/posts.ts';
import { call } from '../support/call.ts';
import { registerAccount } from '../support/accounts.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueIp } from '../support/users.ts';
import { encodeBody, requestFor, sentStrings, type RequestSpec, type Targets } from './arbitraries.ts';
import { envCount, expectInvariants, loadRoutes, report, responseProblems, StatusCount, type RouteUnderTest } from './harness.ts';

const RUNS = envCount('ADVERSARIAL_FUZZ_RUNS', 200);
const SEED = envCount('ADVERSARIAL_FUZZ_SEED', Math.floor(Math.random() * 2 ** 31) + 1);
const routes = await loadRoutes();

const owners: TestUser[] = [];
const targets: Targets = { usernames: [], emails: [], passwords: [STRONG_PASSWORD], ids: [], secrets: [] };
const statuses = new StatusCount();
const perRoute: Record<string, number> = {};

beforeAll(async () => {
  // Development delivery logs every code it hands out: thousands of lines.
  vi.spyOn(console, 'info').mockImplementation(() => {});
  owners.push(await createUser(), await createUser(), await createUser({ confirmed: false }));
  for (const { user } of owners) {
    targets.usernames.push(user.username);
    targets.emails.push(user.email);
    const post = await createPost(user, { title: 'A post to aim at', body: 'Its body' });
    const comment = await addComment(owners[0]!.user, post.id, { body: 'A comment to aim at' });
    targets.ids.push(user.id, post.id, comment.id);
  }
  for (let i = 0; i < 3; i++) {
    const account = await registerAccount();
    targets.usernames.push(account.username);
    targets.secrets.push(account.code);
  }
  for (const { user } of owners) {
    const res = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    targets.secrets.push(res.body.token);
  }
  // A pending e-mail change, for /api/me/email/confirm/{code}.
  const mover = await createUser();
  const change = await call(changeEmail, 'POST', '/api/me/email', {
    token: mover.token,
    json: { email: `moved_${mover.user.username}@example.org`, password: mover.password },
    ip: uniqueIp(),
  });
  targets.secrets.push(change.body.code);
});

afterAll(() => {
  const cases = Object.values(perRoute).reduce((a, b) => a + b, 0);
  report('fuzz', { cases, functions: routes.length, 'cases per function': RUNS, seed: SEED, answers: statuses.counts });
});

/** The request's credential, made real: a fresh session for a "valid" one (so earlier logouts do not matter). */
async function credentialHeaders(spec: RequestSpec): Promise<Record<string, string>> {
  const { credential } = spec;
  switch (credential.kind) {
    case 'none':
      return {};
    case 'authorization':
      return { authorization: credential.value };
    case 'cookie':
      return { cookie: credential.value };
    case 'valid':
    case 'tampered': {
      const index = credential.user % owners.length;
      // DELETE /api/me with the fixtures' password may have deleted this owner: a new one takes its place.
      const opened = await createSession(owners[index]!.user.id).catch(async (error: unknown) => {
        if (!(error instanceof AccountGone)) throw error;
        owners[index] = await createUser({ confirmed: owners[index]!.user.confirmed_at !== null });
        return createSession(owners[index]!.user.id);
      });
      let { token } = opened;
      if (credential.kind === 'tampered') {
        const at = credential.at % token.length;
        token = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      }
      return credential.via === 'bearer' ? { authorization: `Bearer ${token}` } : { cookie: `session_id=${token}` };
    }
  }
}

async function send(route: RouteUnderTest, spec: RequestSpec) {
  const headers: Record<string, string> = { ...spec.headers, ...(await credentialHeaders(spec)) };
  if (spec.contentType !== undefined) headers['content-type'] = spec.contentType;
  return call(route.handler, spec.method, spec.path, { raw: encodeBody(spec), headers, ip: spec.ip });
}

describe('fuzzed requests', () => {
  it('covers every function of both surfaces', () => {
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/register', '/api/login', '/api/posts/:id', '/']));
    for (const route of routes) expect(route.methods.length, route.file).toBeGreaterThan(0);
  });

  it.each(routes.map((route) => [`${route.methods.join('/')} ${route.path}`, route] as const))(
    '%s: below 500, the error shape of its surface, no leak; invariants hold',
    async (_name, route) => {
      perRoute[route.path] = 0;
      await fc.assert(
        fc.asyncProperty(requestFor(route, targets), async (spec) => {
          const res = await send(route, spec);
          perRoute[route.path]! += 1;
          statuses.add(res.status);
          // The OpenAPI document describes the service (it may well say "Postgres"): its own text is no leak.
          const documentation = route.path === '/api/openapi.json' && res.status === 200;
          const sent = documentation ? [...sentStrings(spec), res.text] : sentStrings(spec);
          expect(responseProblems(res, route.style, sent), `${res.status} ${res.text.slice(0, 300)}`).toEqual([]);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      await expectInvariants();
    },
    120_000,
  );
});
