import { afterEach, describe, expect, it } from 'vitest';
import { signSessionToken, verifySessionToken } from '../../src/auth/sessions/tokens.ts';
import { setClock } from '../../src/config/clock.ts';
import { ConfigError } from '../../src/config/settings.ts';
import { parseSigningKeys } from '../../src/config/signing-keys.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { setEnv } from '../support/env.ts';

afterEach(() => setClock());

describe('session tokens', () => {
  const issued = new Date('2031-05-01T10:00:00Z');
  const expires = new Date('2031-05-01T10:01:00Z');
  const at = (iso: string) => setClock(() => new Date(iso));

  it('stay valid until their expiry second, also once verified before (and remembered)', async () => {
    const token = await signSessionToken({ userId: 7, sessionId: 9 }, issued, expires);
    at('2031-05-01T10:00:00Z');
    expect(await verifySessionToken(token)).toEqual({ userId: 7, sessionId: 9 });
    at('2031-05-01T10:00:59.999Z');
    expect(await verifySessionToken(token)).toEqual({ userId: 7, sessionId: 9 });
    at('2031-05-01T10:01:00Z');
    expect(await verifySessionToken(token)).toBeUndefined();
  });

  it('are refused when changed in any character, whatever was verified before', async () => {
    const token = await signSessionToken({ userId: 7, sessionId: 10 }, issued, expires);
    at('2031-05-01T10:00:30Z');
    expect(await verifySessionToken(token)).toBeDefined();
    // A character inside the signature (the last one may hold only padding bits).
    const i = token.length - 10;
    const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    expect(await verifySessionToken(changed)).toBeUndefined();
    expect(await verifySessionToken(`${token}.`)).toBeUndefined();
  });
});

describe('the signing secret', () => {
  it('has no fallback in shipped code: without JWT_SECRET, even under the test runner, nothing is signed', async () => {
    expect(process.env.VITEST ?? process.env.NODE_ENV).toBeDefined();
    const restore = setEnv({ JWT_SECRET: undefined });
    try {
      await expect(signSessionToken({ userId: 1, sessionId: 1 }, issued(), expires())).rejects.toThrow(ConfigError);
      await expect(signSessionToken({ userId: 1, sessionId: 1 }, issued(), expires())).rejects.toThrow(/JWT_SECRET/);
    } finally {
      restore();
    }
  });
});

const issued = () => new Date('2031-05-01T10:00:00Z');
const expires = () => new Date('2031-05-01T10:01:00Z');

describe('JWT_SIGNING_KEYS', () => {
  it("refuses a kid the session tokens' derived keys use, so no published kid can name one", async () => {
    const key = await newSigningKey();
    for (const kid of ['session', 'session:abc']) {
      expect(() => parseSigningKeys(JSON.stringify([{ ...key, kid }]))).toThrow(`kid "${kid}" is reserved for session tokens' keys`);
    }
    expect(parseSigningKeys(JSON.stringify([{ ...key, kid: 'sessions' }]))).toHaveLength(1);
  });
});
