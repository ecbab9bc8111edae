// Moving the service's clock forward instead of waiting (src/config/clock.ts).
import { afterEach } from 'vitest';
import { KEEP_LIVE_TOKEN_MS } from '../../src/auth/codes/email-requests.ts';
import { setClock } from '../../src/config/clock.ts';

let offsetMs = 0;

/** From now on the service's clock runs `ms` further ahead (by default, past the minute a live code is kept). */
export function skipAhead(ms = KEEP_LIVE_TOKEN_MS + 1_000): void {
  offsetMs += ms;
  const offset = offsetMs;
  setClock(() => new Date(Date.now() + offset));
}

afterEach(() => {
  if (offsetMs === 0) return;
  offsetMs = 0;
  setClock();
});
