import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { cursorCodec, keyId, keyMicros, microsToIso } from '../../src/common/cursor.ts';

const posts = cursorCodec('posts', [keyMicros, keyId]);
const users = cursorCodec('users', [v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{2,31}$/))]);
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The last character's lowest bit flipped: with 13 bytes (4 bits unused) it decodes to the same bytes. */
function withUnusedBitSet(text: string): string {
  expect(text.length % 4).toBe(2);
  const changed = `${text.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(text.at(-1)!) ^ 1]}`;
  expect(Buffer.from(changed, 'base64url')).toEqual(Buffer.from(text, 'base64url'));
  return changed;
}

describe('cursors', () => {
  it('give back the key they carry, and are opaque URL-safe text', () => {
    const cursor = posts.encode([1_735_786_000_123_456, 42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(posts.decode(cursor)).toEqual([1_735_786_000_123_456, 42]);
    expect(users.decode(users.encode(['seed_abc_12']))).toEqual(['seed_abc_12']);
  });

  it.each([
    ['another list', raw(['users', 1, 2])],
    ['a missing part', raw(['posts', 1])],
    ['an extra part', raw(['posts', 1, 2, 3])],
    ['a fractional id', raw(['posts', 1, 2.5])],
    ['an id of 0', raw(['posts', 1, 0])],
    ['an unsafe integer', raw(['posts', 2 ** 53, 1])],
    ['a string for a number', raw(['posts', '1', 2])],
    ['an object', raw({ list: 'posts' })],
    ['not JSON', Buffer.from('posts.1.2').toString('base64url')],
    ['padding', `${raw(['posts', 1, 2])}==`],
    ['the same bytes spelled otherwise (unused bits set)', withUnusedBitSet(raw(['posts', 1, 2]))],
    ['characters outside base64url', 'a/b+c'],
    ['an empty string', ''],
    ['a huge one', 'A'.repeat(201)],
  ])('refuse %s', (_, text) => {
    expect(posts.decode(text)).toBeUndefined();
  });

  it('refuse a username the rules do not allow', () => {
    expect(users.decode(raw(['users', 'Robert); DROP TABLE users;--']))).toBeUndefined();
  });

  it('write timestamps to the microsecond, before and after 1970', () => {
    expect(microsToIso(1_735_786_000_123_456)).toBe('2025-01-02T02:46:40.123456Z');
    expect(microsToIso(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(microsToIso(-1)).toBe('1969-12-31T23:59:59.999999Z');
  });
});
