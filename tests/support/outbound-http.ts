// msw stands in for third-party HTTP services. Requests to this machine pass
// through; any other request nobody mocked fails the test that made it.
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

const unhandled: string[] = [];

export const outbound = setupServer(
  http.all(/^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//, () => passthrough()),
);

beforeAll(() =>
  outbound.listen({
    onUnhandledRequest: (request) => {
      unhandled.push(`${request.method} ${request.url}`);
    },
  }),
);
afterEach(() => {
  outbound.resetHandlers();
  const seen = unhandled.splice(0);
  expect(seen, 'unexpected outbound HTTP requests').toEqual([]);
});
afterAll(() => outbound.close());
