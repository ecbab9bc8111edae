// msw stands in for third-party HTTP services. Requests to this machine pass
// through; any other request nobody mocked fails the test that made it.
import { http, passthrough, ws } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

const unhandled: string[] = [];
const loopback = '(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d+)?/';

// Node 22's global WebSocket (the Neon driver's transport) is intercepted too:
// a loopback socket connects to the real server and passes every message on.
const localSockets = ws.link(new RegExp(`^wss?://${loopback}`));

export const outbound = setupServer(
  http.all(new RegExp(`^https?://${loopback}`), () => passthrough()),
  localSockets.addEventListener('connection', ({ server }) => server.connect()),
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
