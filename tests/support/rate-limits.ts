// Lowered rate limits for one test file, so a test reaches them in a few requests.
import { afterAll, beforeAll } from 'vitest';
import { resetRateLimitSettings } from '../../src/rate-limit/limits.ts';

/** Sets these RATE_LIMIT_* variables for the file; limits are parsed once, so the cache is reset around it. */
export function lowerRateLimits(values: Record<string, string>): void {
  beforeAll(() => {
    Object.assign(process.env, values);
    resetRateLimitSettings();
  });
  afterAll(() => {
    for (const name of Object.keys(values)) delete process.env[name];
    resetRateLimitSettings();
  });
}
