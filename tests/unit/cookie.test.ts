import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { clearedSessionCookie, sessionCookie } from '../../src/http/cookies.ts';
import { setEnv } from '../support/env.ts';

afterEach(() => setClock());

describe('session cookie', () => {
  const t0 = new Date('2031-01-01T00:00:00Z');

  it('is HttpOnly, SameSite=Lax, Path=/ and lives as long as the session', () => {
    setClock(() => t0);
    const cookie = sessionCookie(new Request('http://localhost:8888/api/login'), 'tok', new Date(t0.getTime() + 7 * 86_400_000));
    expect(cookie).toBe('session_id=tok; HttpOnly; SameSite=Lax; Path=/; Max-Age=604800');
  });

  it('is Secure unless the service runs on plain http in local development', () => {
    const cookie = sessionCookie(new Request('https://auth.example.test/api/login'), 'tok', new Date(Date.now() + 60_000));
    expect(cookie).toMatch(/; Secure$/);
    expect(clearedSessionCookie(new Request('https://auth.example.test/api/logout'))).toBe(
      'session_id=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure',
    );
    expect(clearedSessionCookie(new Request('http://localhost:8888/api/logout'))).not.toContain('Secure');
  });

  it('is Secure over plain http too outside local development', () => {
    // A deployed function: no test runner, no netlify dev.
    const restore = setEnv({ VITEST: undefined, NODE_ENV: undefined, NETLIFY_DEV: undefined, CONTEXT: undefined });
    try {
      expect(clearedSessionCookie(new Request('http://auth.example.test/api/logout'))).toMatch(/; Secure$/);
      expect(sessionCookie(new Request('http://localhost:8888/api/login'), 'tok', new Date(Date.now() + 60_000))).toMatch(/; Secure$/);
      // netlify dev: plain http on localhost keeps the cookie usable.
      setEnv({ NETLIFY_DEV: 'true' });
      expect(clearedSessionCookie(new Request('http://localhost:8888/api/logout'))).not.toContain('Secure');
      // A deploy context is never local development.
      for (const context of ['production', 'deploy-preview', 'branch-deploy']) {
        setEnv({ CONTEXT: context });
        expect(clearedSessionCookie(new Request('http://localhost:8888/api/logout')), context).toMatch(/; Secure$/);
      }
    } finally {
      restore();
    }
  });
});
