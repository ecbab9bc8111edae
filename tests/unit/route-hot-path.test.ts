import type { Context } from '@netlify/functions';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/http/respond.ts';
import { handlerFor } from '../../src/http/route.ts';

// Every request of an authenticated read passes through route()'s edge: what it
// must not spend there (src/http/README.md, "The edge of a request").
describe("route()'s edge on the hot path", () => {
  const context = { ip: '203.0.113.7', params: {} } as unknown as Context;

  it("adds the edge headers to the handler's own response rather than copying it into a second one", async () => {
    let made: Response | undefined;
    const handler = handlerFor('/api/thing', {
      GET: () => {
        made = json(200, { ok: true });
        return made;
      },
    });
    const res = await handler(new Request('https://example.com/api/thing'), context);
    expect(res).toBe(made);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(await res.json()).toEqual({ ok: true });
  });

  it('parses the URL only for a handler that reads it', async () => {
    let parsed: unknown;
    const lazy = handlerFor('/api/thing', { GET: () => json(200, {}) });
    const reads = handlerFor('/api/thing', {
      GET: (_req, { url }) => {
        parsed = url.pathname;
        return json(200, {});
      },
    });
    const [first, second] = [new Request('http://localhost/api/thing'), new Request('http://localhost/api/thing')];
    const { URL: OriginalURL } = globalThis;
    let constructed = 0;
    globalThis.URL = class extends OriginalURL {
      constructor(...args: ConstructorParameters<typeof URL>) {
        super(...args);
        constructed++;
      }
    } as typeof URL;
    try {
      await lazy(first, context);
      expect(constructed).toBe(0);
      await reads(second, context);
      expect([constructed, parsed]).toEqual([1, '/api/thing']);
    } finally {
      globalThis.URL = OriginalURL;
    }
  });
});
