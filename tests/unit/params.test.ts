import { describe, expect, it } from 'vitest';
import { idSchema } from '../../src/common/ids.ts';
import { parse } from '../../src/common/validate.ts';
import { parsePagination } from '../../src/http/params.ts';
import { usernameSchema } from '../../src/users/username.ts';

// Path parameters as route() parses them: with the schema their declaration names.
const parseId = (raw: string | undefined) => parse(idSchema, raw, 'id');
const parseUsernameParam = (raw: string | undefined) => parse(usernameSchema, raw, 'username');

describe('path ids', () => {
  it.each(['1', '42', '9007199254740991'])('accepts %s', (raw) => {
    expect(parseId(raw)).toBe(Number(raw));
  });
  it.each(['abc', '0', '-1', '1.5', '1e3', '0x1', ' 1', '01', '9007199254740992', '99999999999999999', '', undefined])(
    'refuses %s with 400',
    (raw) => {
      expect(() => parseId(raw)).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
    },
  );
});

describe('path usernames', () => {
  it('lower-cases a valid name', () => expect(parseUsernameParam('Alice_1')).toBe('alice_1'));
  it.each(['ab', '1abc', 'a'.repeat(33), 'bad-name', 'admin', 'ünï'])('refuses %s', (raw) => {
    expect(() => parseUsernameParam(raw)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('pagination', () => {
  const at = (query: string) => parsePagination(new URL(`http://x/api/posts${query}`));
  it('defaults to page 1 of 20', () => expect(at('')).toEqual({ page: 1, pageSize: 20, offset: 0, cursor: null }));
  it('computes the offset', () => expect(at('?page=3&pageSize=100')).toEqual({ page: 3, pageSize: 100, offset: 200, cursor: null }));
  it('takes a cursor instead of a page number', () =>
    expect(at('?cursor=WyJwb3N0cyJd&pageSize=5')).toEqual({ page: null, pageSize: 5, offset: 0, cursor: 'WyJwb3N0cyJd' }));
  it.each([
    '?page=0',
    '?pageSize=101',
    '?page=abc',
    '?pageSize=0',
    '?page=1.5',
    '?page=-1',
    '?page=1&page=2',
    '?pageSize=',
    '?cursor=',
    '?cursor=a+b',
    '?cursor=a%2Fb',
    '?cursor=a=',
    `?cursor=${'a'.repeat(201)}`,
    '?cursor=a&cursor=b',
    '?cursor=abc&page=1',
  ])('refuses %s', (query) => {
    expect(() => at(query)).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
  });
});
