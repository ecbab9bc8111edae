// msw as Have I Been Pwned's Pwned Passwords range API. Answers are built as
// the real one builds them with `Add-Padding: true`: 800+ `SUFFIX:COUNT` lines
// under the asked prefix, CRLF-separated, the padding lines with a count of 0.
// Hashes are computed here, independently of the service's module.
import { createHash, randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { outbound } from './outbound-http.ts';

/** The range API's default base (BREACHED_PASSWORD_API_URL unset). */
export const PWNED_PASSWORDS_API = 'https://api.pwnedpasswords.com';

/** A password's SHA-1 in upper-case hex, as the range API indexes it. */
export const sha1Hex = (password: string): string => createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();

export interface RangeRequest {
  url: URL;
  headers: Headers;
  body: string;
  /** The body answered, unless `reply` answered. */
  answer?: string;
}

export interface RangeApiOptions {
  /** Where the API is served (default: Have I Been Pwned's own address). */
  base?: string;
  /** Passwords listed in every answer under their prefix, with how often they were seen (0: a padding line). */
  listed?: Record<string, number>;
  /** Replaces the answer: a delay, an error status, a malformed body. */
  reply?: () => Response | Promise<Response>;
}

const randomSuffix = () => randomBytes(18).toString('hex').slice(0, 35).toUpperCase();

/** A padded answer for `prefix`: real-looking lines, padding lines with count 0, and the `listed` passwords under it. */
export function rangeBody(prefix: string, listed: Record<string, number> = {}): string {
  const lines = new Map<string, number>();
  for (let i = 0; i < 500; i++) lines.set(randomSuffix(), 1 + (i % 40));
  for (let i = 0; i < 400; i++) lines.set(randomSuffix(), 0);
  for (const [password, count] of Object.entries(listed)) {
    const hash = sha1Hex(password);
    if (hash.startsWith(prefix)) lines.set(hash.slice(5), count);
  }
  return [...lines]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([suffix, count]) => `${suffix}:${count}`)
    .join('\r\n');
}

/**
 * Serves the range API for the current test (msw handlers end with each test)
 * and records every request it receives.
 */
export function useBreachedPasswordApi({ base = PWNED_PASSWORDS_API, listed = {}, reply }: RangeApiOptions = {}): {
  requests: RangeRequest[];
} {
  const requests: RangeRequest[] = [];
  outbound.use(
    http.get(`${base}/range/:prefix`, async ({ request, params }) => {
      const received: RangeRequest = { url: new URL(request.url), headers: request.headers, body: await request.text() };
      requests.push(received);
      if (reply !== undefined) return reply();
      received.answer = rangeBody(String(params.prefix), listed);
      return new HttpResponse(received.answer, { headers: { 'content-type': 'text/plain' } });
    }),
  );
  return { requests };
}
