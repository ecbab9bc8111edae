// Hostile request bodies: every 64 KiB shape of
// tests/support/hostile-bodies.ts sent to every function that takes a body,
// repeated names and keys valibot would skip (`__proto__`, `constructor`,
// `prototype`), multipart boundaries the parser reads otherwise than a naive
// reading of the header, and the size limit in literal bytes. Prints the
// largest time one body took to read and validate (a figure, not a limit:
// `npm run bench:bodies` measures it properly).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import login from '../../netlify/functions/login.ts';
import meProfile from '../../netlify/functions/me-profile.ts';
import register from '../../netlify/functions/register.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { MAX_BODY_FIELDS, MAX_JSON_DEPTH, readBody } from '../../src/http/body.ts';
import { call } from '../support/call.ts';
import { hostileBodies, hostileRequest, parseOnce, trickyBoundaries } from '../support/hostile-bodies.ts';
import { createUser, type TestUser } from '../support/users.ts';
import { expectSafe, loadRoutes, report, StatusCount } from './harness.ts';

const routes = await loadRoutes();
const bodies = hostileBodies();
const figures: Record<string, unknown> = {};
let owner: TestUser;

beforeAll(async () => {
  owner = await createUser();
});
afterAll(() => report('bodies', figures));

describe('every 64 KiB body, of any shape', () => {
  it('is parsed or refused by reading and validation alone; the slowest is reported', async () => {
    let largest = { ms: 0, shape: '' };
    for (const body of bodies) {
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await parseOnce(body));
      expect(
        runs.every((run) => run.status === 400),
        body.name,
      ).toBe(true);
      const median = runs.map((run) => run.ms).sort((a, b) => a - b)[2]!;
      if (median > largest.ms) largest = { ms: median, shape: body.name };
    }
    figures['largest body parse (median of 5, ms)'] = `${largest.ms.toFixed(2)} (${largest.shape})`;
  });

  const writes = routes.flatMap((route) =>
    route.methods.filter((m) => ['POST', 'PUT', 'PATCH'].includes(m)).map((method) => ({ route, method })),
  );

  it.each(writes.map(({ route, method }) => [`${method} ${route.path}`, route, method] as const))(
    '%s answers each below 500, with the error shape of its surface and no leak',
    async (_name, route, method) => {
      const statuses = new StatusCount();
      const { token } = await createSession(owner.user.id);
      for (const body of bodies) {
        const res = await call(route.handler, method, route.path.replace(/:\w+/g, '1'), {
          raw: body.bytes,
          headers: { 'content-type': body.contentType },
          token,
        });
        statuses.add(res.status);
        // Logout reads no body; `&&&…` is an empty form, a valid empty profile update.
        expectSafe(res, route.style);
      }
      figures[`${method} ${route.path}`] = statuses.counts;
    },
  );
});

describe('the size limit, in bytes written out', () => {
  // Literal sizes, not MAX_BODY_BYTES: a limit changed by mistake fails here.
  const jsonOf = (bytes: number) => {
    const shell = '{"username":"","password":"x"}';
    return `{"username":"${'a'.repeat(bytes - shell.length)}","password":"x"}`;
  };

  it.each([
    ['streamed', false],
    ['with its Content-Length', true],
  ])('a body of 65,537 bytes is 413 and one of 65,536 is read (%s)', async (_how, declared) => {
    for (const [bytes, tooLarge] of [
      [65_537, true],
      [65_536, false],
    ] as const) {
      const raw = jsonOf(bytes);
      expect(Buffer.byteLength(raw)).toBe(bytes);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (declared) headers['content-length'] = String(bytes);
      const res = await call(login, 'POST', '/api/login', { raw, headers });
      if (tooLarge) {
        expect(res.status).toBe(413);
        expect(res.body.error.code).toBe('payload_too_large');
      } else {
        expect(res.status).not.toBe(413);
        expect(res.status).toBeLessThan(500);
      }
    }
  });
});

describe('repeated names and wide bodies', () => {
  it('a form field sent twice is a 400 naming it, on both surfaces', async () => {
    const form = `username=${owner.user.username}&password=a&password=b`;
    const api = await call(login, 'POST', '/api/login', { raw: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(api.status).toBe(400);
    expect(api.body.error.details).toEqual({ password: ['must be sent once'] });
    const classic = await call(classicSessions, 'POST', '/sessions', {
      raw: `email=${owner.user.email}&password=a&password=b`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(classic.status).toBe(400);
    expect(classic.body).toEqual({ message: 'password must be sent once' });
  });

  it('a multipart field sent twice is a 400 naming it', async () => {
    const form = new FormData();
    form.append('username', owner.user.username);
    form.append('password', 'a');
    form.append('password', 'b');
    const res = await call(login, 'POST', '/api/login', { raw: form });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ password: ['must be sent once'] });
  });

  it(`more than ${MAX_BODY_FIELDS} fields is a 400 before validation, in every encoding`, async () => {
    const names = Array.from({ length: MAX_BODY_FIELDS + 1 }, (_, i) => `f${i}`);
    const form = new FormData();
    for (const name of names) form.append(name, 'x');
    const sent = [
      { json: Object.fromEntries(names.map((name) => [name, 'x'])) },
      { raw: names.map((name) => `${name}=x`).join('&'), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { raw: form },
    ];
    for (const options of sent) {
      const res = await call(login, 'POST', '/api/login', options);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual({ body: [`must have at most ${MAX_BODY_FIELDS} fields`] });
    }
  });

  it.each(trickyBoundaries)(
    `a multipart body of more than ${MAX_BODY_FIELDS} parts behind a boundary with $shape is refused before the parser runs`,
    async ({ shape }) => {
      const body = bodies.find((b) => b.name.endsWith(shape))!;
      const parser = vi.spyOn(Response.prototype, 'formData');
      try {
        expect((await parseOnce(body)).status).toBe(400);
        expect(parser).not.toHaveBeenCalled();
      } finally {
        parser.mockRestore();
      }
    },
  );

  it('the parts are counted with the boundary the parser reads, past a decoy parameter', async () => {
    const boundary = 'real-boundary';
    const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const res = await call(login, 'POST', '/api/login', {
      raw: `${part('username', owner.user.username)}${part('password', owner.password)}--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; x="; boundary=fake"; boundary=${boundary}` },
    });
    expect(res.status).toBe(200);
  });

  it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is a 400 before it is parsed`, async () => {
    // Inside the top-level object: MAX_JSON_DEPTH levels in all.
    const deep = `${'['.repeat(MAX_JSON_DEPTH - 1)}"x"${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    const ok = await call(login, 'POST', '/api/login', {
      raw: `{"username":${deep},"password":"x"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(ok.status).toBe(400);
    expect(ok.body.error.details).toEqual({ username: ['must be a string'] });
    const tooDeep = await call(login, 'POST', '/api/login', {
      raw: `{"username":[${deep}],"password":"x"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.details).toEqual({ body: [`must be nested at most ${MAX_JSON_DEPTH} levels deep`] });
  });

  it('bodies are read into records without a prototype', async () => {
    const json = await readBody(
      new Request('http://localhost/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }),
    );
    const form = await readBody(
      hostileRequest({ name: 'form', contentType: 'application/x-www-form-urlencoded', bytes: new TextEncoder().encode('a=1') }),
    );
    expect(Object.getPrototypeOf(json)).toBeNull();
    expect(Object.getPrototypeOf(form)).toBeNull();
  });
});

describe('__proto__, constructor and prototype as body keys', () => {
  const SKIPPED = ['__proto__', 'constructor', 'prototype'];

  it.each(SKIPPED)('"%s" in a JSON login body is refused as an unknown field', async (key) => {
    const res = await call(login, 'POST', '/api/login', {
      raw: `{"username":"${owner.user.username}","password":"${owner.password}","${key}":{"admin":true}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(Object.entries(res.body.error.details)).toEqual([[key, ['is not a known field']]]);
  });

  it.each(SKIPPED)('"%s" in a form body is refused on registration and the classic login', async (key) => {
    const reg = await call(register, 'POST', '/api/register', {
      raw: `username=new_user_x&email=new_user_x@example.com&password=Correct-Horse-42!&${key}=1`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reg.status).toBe(400);
    expect(Object.keys(reg.body.error.details)).toEqual([key]);
    const classic = await call(classicSessions, 'POST', '/sessions', {
      raw: `email=${owner.user.email}&password=${owner.password}&${key}=1`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(classic.status).toBe(400);
    expect(classic.body.message).toBe(`${key} is not a known field`);
  });

  it('a profile update carrying "__proto__" changes nothing', async () => {
    const res = await call(meProfile, 'PATCH', '/api/me/profile', {
      raw: '{"bio":"changed","__proto__":{"bio":"x"}}',
      headers: { 'content-type': 'application/json' },
      token: (await createSession(owner.user.id)).token,
    });
    expect(res.status).toBe(400);
    expect(Object.entries(res.body.error.details)).toEqual([['__proto__', ['is not a known field']]]);
  });
});
