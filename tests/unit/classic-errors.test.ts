import { describe, expect, it } from 'vitest';
import { detailsMessage, restate } from '../../src/http/classic.ts';
import { HttpError, validationFailed } from '../../src/common/errors.ts';
import { handlerFor } from '../../src/http/route.ts';
import { call } from '../support/call.ts';

describe('restate', () => {
  it('gives a listed core error its classic status and message, keeping its headers', () => {
    const error = new HttpError('rate_limited', 'Too many.', { headers: { 'Retry-After': '9' } });
    expect(() => restate({ rate_limited: { status: 403, message: 'slow down' } })(error)).toThrow(
      expect.objectContaining({ status: 403, code: 'rate_limited', message: 'slow down', headers: { 'Retry-After': '9' } }),
    );
  });

  it('renames detail fields to the classic form names', () => {
    const error = validationFailed({ password: ['is too short'], email: ['is required'] });
    expect(() => restate({ validation_failed: { status: 400, fields: { password: 'new_password' } } })(error)).toThrow(
      expect.objectContaining({ details: { new_password: ['is too short'], email: ['is required'] } }),
    );
  });

  it('rethrows anything else unchanged', () => {
    const notListed = new HttpError('not_found');
    const plain = new Error('boom');
    expect(() => restate({ unauthenticated: { status: 403 } })(notListed)).toThrow(notListed);
    expect(() => restate({ unauthenticated: { status: 403 } })(plain)).toThrow(plain);
  });
});

describe('classic error bodies', () => {
  it('name every broken rule of every field in the message', () => {
    expect(
      detailsMessage({ email: ['is required'], password: ['must be at least 12 characters', 'is one of the most common passwords'] }),
    ).toBe('email is required; password must be at least 12 characters; password is one of the most common passwords');
  });

  it('are {message} alone', async () => {
    const handler = handlerFor('/x', { POST: () => Promise.reject(validationFailed({ email: ['is required'] })) }, 'classic');
    const res = await call(handler, 'POST', '/x');
    expect(res).toMatchObject({ status: 400, text: '{"message":"email is required"}' });
  });
});
