import { describe, expect, it } from 'vitest';
import { changedRow } from '../../src/content/ownership.ts';

describe('outcome of a check-and-change statement', () => {
  const read = (row: Parameters<typeof changedRow>[0]) => () => changedRow(row, 'post', 'not yours');

  it('is 404 when the target does not exist', () => {
    expect(read(undefined)).toThrow(expect.objectContaining({ status: 404, message: 'No such post.' }));
  });

  it('is 403 when the caller may not change it', () => {
    expect(read({ allowed: false, changed: false })).toThrow(expect.objectContaining({ status: 403, message: 'not yours' }));
  });

  it('is 404 when the caller was allowed but a concurrent delete won', () => {
    expect(read({ allowed: true, changed: false })).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('returns the changed row', () => {
    const row = { allowed: true, changed: true, id: 7 };
    expect(changedRow(row, 'post', 'not yours')).toBe(row);
  });
});
