// RFC 6238 Appendix B: each algorithm with its own seed (20, 32 and 64 bytes:
// the classic mistake is to reuse the 20-byte one), 8 digits, 30-second steps.
import { describe, expect, it } from 'vitest';
import { checkCode, type FactorState } from '../../src/auth/mfa/codes.ts';
import { openSecret, sealSecret } from '../../src/auth/mfa/sealed-secret.ts';
import { base32, matchingStep, otpauthUri, timeStep, totpCode, type TotpAlgorithm } from '../../src/auth/mfa/totp.ts';

const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

// Time (s), then the SHA-1, SHA-256 and SHA-512 codes, as the RFC's table lists them.
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it('gives every Appendix B code, each algorithm with its own seed', () => {
    for (const [seconds, ...codes] of VECTORS) {
      const step = timeStep(new Date(seconds * 1000));
      (['sha1', 'sha256', 'sha512'] as const).forEach((algorithm, i) => {
        expect(totpCode(SEEDS[algorithm], step, { algorithm, digits: 8 }), `${algorithm} at ${seconds}`).toBe(codes[i]);
      });
    }
  });

  it('the SHA-256 and SHA-512 vectors fail with the 20-byte seed (the seeds differ on purpose)', () => {
    const step = timeStep(new Date(59_000));
    expect(totpCode(SEEDS.sha1, step, { algorithm: 'sha256', digits: 8 })).not.toBe('46119246');
    expect(totpCode(SEEDS.sha1, step, { algorithm: 'sha512', digits: 8 })).not.toBe('90693936');
  });

  it('accepts the step before and after, no further, and only six digits', () => {
    const secret = SEEDS.sha1;
    const at = new Date(1_111_111_111_000);
    const step = timeStep(at);
    for (const offset of [-1, 0, 1]) expect(matchingStep(secret, totpCode(secret, step + offset), at)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(matchingStep(secret, totpCode(secret, step + offset), at)).toBeUndefined();
    expect(matchingStep(secret, totpCode(secret, step, { digits: 8 }), at)).toBeUndefined();
    expect(matchingStep(secret, 'abcdef', at)).toBeUndefined();
  });

  it('writes secrets in RFC 4648 base32 and an otpauth URI apps read', () => {
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((text) => base32(Buffer.from(text)))).toEqual([
      '',
      'MY',
      'MZXQ',
      'MZXW6',
      'MZXW6YQ',
      'MZXW6YTB',
      'MZXW6YTBOI',
    ]);
    expect(otpauthUri(Buffer.from('12345678901234567890'), 'auth.example', 'ada lovelace')).toBe(
      'otpauth://totp/auth.example:ada%20lovelace?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=auth.example&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('sealed secrets (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 7);
  const secret = Buffer.from('12345678901234567890');

  it('open to the secret, and never hold it in clear', () => {
    const sealed = sealSecret(secret, 42, key);
    expect(sealed.includes(secret)).toBe(false);
    expect(sealed).toHaveLength(12 + 20 + 16);
    expect(openSecret(sealed, 42, [key])).toEqual({ secret, resealed: undefined });
    expect(sealSecret(secret, 42, key)).not.toEqual(sealed);
  });

  it('do not open with another key, for another account, or altered', () => {
    const sealed = sealSecret(secret, 42, key);
    expect(() => openSecret(sealed, 42, [Buffer.alloc(32, 8)])).toThrow();
    expect(() => openSecret(sealed, 43, [key])).toThrow();
    const altered = Buffer.from(sealed);
    altered[14]! ^= 1;
    expect(() => openSecret(altered, 42, [key])).toThrow();
  });

  it('open with an older key of the list, and come back sealed under the first, which alone opens them', () => {
    const newKey = Buffer.alloc(32, 9);
    const { secret: opened, resealed } = openSecret(sealSecret(secret, 42, key), 42, [newKey, key]);
    expect(opened).toEqual(secret);
    expect(openSecret(resealed!, 42, [newKey])).toEqual({ secret, resealed: undefined });
    expect(() => openSecret(resealed!, 42, [key])).toThrow();
  });
});

// The check in Node that runs before any statement acts on a code: the SQL
// compare-and-set would refuse a replay too, but only in a second statement.
describe('checking a TOTP code against the last accepted step', () => {
  const secret = SEEDS.sha1;
  const at = new Date(1_111_111_111_000);
  const step = timeStep(at);
  const factor = (lastUsedStep: number | null): FactorState => ({
    userId: 42,
    sealed: sealSecret(secret, 42),
    lastUsedStep,
    recoveryCodeFound: false,
  });
  const code = (offset: number) => totpCode(secret, step + offset);

  it('accepts a code of any step in the window when none was used yet', () => {
    for (const offset of [-1, 0, 1]) expect(checkCode(code(offset), factor(null), at)).toEqual({ kind: 'totp', step: step + offset });
  });

  it('refuses the step last accepted (a replay) and every earlier one, and accepts a later one', () => {
    expect(checkCode(code(0), factor(step), at)).toBeUndefined();
    expect(checkCode(code(-1), factor(step), at)).toBeUndefined();
    expect(checkCode(code(0), factor(step + 1), at)).toBeUndefined();
    expect(checkCode(code(1), factor(step), at)).toEqual({ kind: 'totp', step: step + 1 });
    expect(checkCode(code(0), factor(step - 1), at)).toEqual({ kind: 'totp', step });
  });
});
