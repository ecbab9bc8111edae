// Every documented bound of a list's query, both sides of it.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE, MAX_PAGE_SIZE, paginationSchema } from '../../src/common/pagination.ts';

const parse = (query: Record<string, string>) => v.safeParse(paginationSchema, query);

describe('a list query at its bounds', () => {
  it.each([
    ['page', '1'],
    ['page', String(MAX_PAGE)],
    ['page', '0000001'],
    ['pageSize', '1'],
    ['pageSize', String(MAX_PAGE_SIZE)],
  ])('accepts %s=%s', (name, value) => {
    const result = parse({ [name]: value });
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({ [name]: Number(value) });
  });

  it.each([
    ['page', '0', `must be an integer from 1 to ${MAX_PAGE}`],
    ['page', String(MAX_PAGE + 1), `must be an integer from 1 to ${MAX_PAGE}`],
    ['page', '-1', `must be an integer from 1 to ${MAX_PAGE}`],
    ['page', '1.5', `must be an integer from 1 to ${MAX_PAGE}`],
    ['pageSize', '0', `must be an integer from 1 to ${MAX_PAGE_SIZE}`],
    ['pageSize', String(MAX_PAGE_SIZE + 1), `must be an integer from 1 to ${MAX_PAGE_SIZE}`],
  ])('refuses %s=%s', (name, value, message) => {
    const result = parse({ [name]: value });
    expect(result.success).toBe(false);
    expect(result.issues?.map((issue) => issue.message)).toContain(message);
  });
});
