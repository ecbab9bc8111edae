import { afterEach, describe, expect, it, vi } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { ConfigError } from '../../src/config/settings.ts';
import { addressKey } from '../../src/rate-limit/address.ts';
import { consume, countHits, retryAfterSeconds } from '../../src/rate-limit/counter.ts';
import { checks, limitFor, type Check } from '../../src/rate-limit/limits.ts';
import { envPerTest } from '../support/env.ts';
import { countStatements } from '../support/statements.ts';

const T0 = new Date('2031-03-01T12:00:00Z');
const at = (ms: number) => () => new Date(T0.getTime() + ms);

const env = envPerTest();
afterEach(() => setClock());

describe('limits', () => {
  it('default to the documented values', () => {
    expect(limitFor('loginAccount')).toEqual({ count: 10, windowMs: 15 * 60_000 });
    expect(limitFor('loginAccountTotal')).toEqual({ count: 100, windowMs: 60 * 60_000 });
    expect(limitFor('loginIp')).toEqual({ count: 50, windowMs: 15 * 60_000 });
    expect(limitFor('registerIp')).toEqual({ count: 30, windowMs: 10 * 60_000 });
    expect(limitFor('email')).toEqual({ count: 5, windowMs: 10 * 60_000 });
    expect(limitFor('emailIp')).toEqual({ count: 30, windowMs: 10 * 60_000 });
  });

  it('read COUNT/WINDOW from the environment with s, m or h', () => {
    for (const [text, expected] of [
      ['3/45s', { count: 3, windowMs: 45_000 }],
      ['100/2h', { count: 100, windowMs: 7_200_000 }],
    ] as const) {
      env({ RATE_LIMIT_EMAIL: text });
      expect(limitFor('email')).toEqual(expected);
    }
  });

  it('refuse a malformed value, naming the variable', () => {
    for (const text of ['5', '0/10m', '5/0m', '5/10d', '-1/10m', 'five/10m']) {
      env({ RATE_LIMIT_EMAIL: text });
      expect(() => limitFor('email')).toThrow(ConfigError);
      expect(() => limitFor('email')).toThrow(/RATE_LIMIT_EMAIL/);
    }
  });

  it('key the login account counter by account and address', () => {
    expect(checks.loginAccount(42, '2001:db8::1').bucket).toBe('login_account:42:2001:db8:0:0::/64');
    expect(checks.loginAccount(42, '192.0.2.1').bucket).not.toBe(checks.loginAccount(42, '192.0.2.2').bucket);
    expect(checks.email('Bob@Example.com').bucket).toBe(checks.email('bob@example.com').bucket);
  });
});

describe('client addresses as rate limits count them', () => {
  const env = envPerTest();

  it('keep an IPv4 address as it is and read an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    for (const mapped of ['::ffff:203.0.113.7', '::FFFF:cb00:7107', '0:0:0:0:0:ffff:203.0.113.7', '[::ffff:203.0.113.7]']) {
      expect(addressKey(mapped), mapped).toBe('203.0.113.7');
    }
    expect(checks.loginIp('::ffff:203.0.113.7').bucket).toBe(checks.loginIp('203.0.113.7').bucket);
  });

  it('key every address of an IPv6 /64 alike, and other /64s apart', () => {
    const one = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:9',
      '[2001:db8:1:2::7]',
      '2001:db8:1:2::3%eth0',
    ];
    expect(new Set(one.map(addressKey))).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(checks.emailIp('2001:db8:1:2::1').bucket).toBe(checks.emailIp('2001:db8:1:2::2').bucket);
  });

  it('take the IPv6 prefix length from RATE_LIMIT_IPV6_PREFIX, refusing a bad one', () => {
    env({ RATE_LIMIT_IPV6_PREFIX: '48' });
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:db8:1:ffff::1'));
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1::/48');
    env({ RATE_LIMIT_IPV6_PREFIX: '56' });
    expect(addressKey('2001:db8:1:2ff::1')).toBe('2001:db8:1:200::/56');
    for (const bad of ['0', '129', '64bits', '-1']) {
      env({ RATE_LIMIT_IPV6_PREFIX: bad });
      expect(() => addressKey('2001:db8::1')).toThrow(/RATE_LIMIT_IPV6_PREFIX/);
    }
  });

  it('refuse with 503 when the platform gave no address, never one shared key', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const missing of [undefined, '', '  ']) {
      expect(() => addressKey(missing)).toThrow(expect.objectContaining({ status: 503, code: 'service_unavailable' }));
    }
    expect(() => checks.loginIp('')).toThrow(expect.objectContaining({ status: 503 }));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('client_address_missing'));
    log.mockRestore();
  });
});

describe('counters', () => {
  const check = (bucket: string, count = 2, windowMs = 60_000): Check => ({ bucket, limit: { count, windowMs } });

  it('count several buckets in one statement', async () => {
    const { result: states, statements } = await countStatements(() => countHits([check('unit:a'), check('unit:b')]));
    expect(statements).toBe(1);
    expect(states.get('unit:a')?.hits).toBe(1);
    expect(states.get('unit:b')?.hits).toBe(1);
    expect((await countHits([check('unit:a')])).get('unit:a')?.hits).toBe(2);
  });

  it('open a new window once the old one has ended, per bucket window', async () => {
    setClock(at(0));
    await countHits([check('unit:short', 5, 1_000), check('unit:long', 5, 60_000)]);
    setClock(at(2_000));
    const states = await countHits([check('unit:short', 5, 1_000), check('unit:long', 5, 60_000)]);
    expect(states.get('unit:short')).toEqual({ hits: 1, windowStart: at(2_000)() });
    expect(states.get('unit:long')).toEqual({ hits: 2, windowStart: T0 });
  });

  it('refuse the attempt over the limit with the seconds left in the window', async () => {
    setClock(at(0));
    await consume([check('unit:c', 2, 60_000)]);
    await consume([check('unit:c', 2, 60_000)]);
    setClock(at(20_500));
    await expect(consume([check('unit:c', 2, 60_000)])).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '40' },
    });
    setClock(at(60_000));
    await expect(consume([check('unit:c', 2, 60_000)])).resolves.toBeUndefined();
  });

  it('compute Retry-After only for a live window over its limit', () => {
    const limit = { count: 3, windowMs: 10_000 };
    expect(retryAfterSeconds(undefined, limit, T0)).toBe(0);
    expect(retryAfterSeconds({ hits: 3, windowStart: T0 }, limit, T0)).toBe(0);
    expect(retryAfterSeconds({ hits: 4, windowStart: T0 }, limit, at(1)())).toBe(10);
    expect(retryAfterSeconds({ hits: 4, windowStart: T0 }, limit, at(10_000)())).toBe(0);
  });

  it('never deadlock when concurrent calls name the same buckets in another order', async () => {
    const a = check('unit:x', 1000);
    const b = check('unit:y', 1000);
    await Promise.all(Array.from({ length: 20 }, (_, i) => countHits(i % 2 ? [a, b] : [b, a])));
    expect((await countHits([a])).get('unit:x')?.hits).toBe(21);
  });
});
