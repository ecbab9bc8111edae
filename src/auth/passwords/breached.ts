// Have I Been Pwned's Pwned Passwords range API, by k-anonymity: only the
// first 5 hex characters of the password's SHA-1 leave the process, and the
// answer lists every known suffix under that prefix, which is compared here.
// `Add-Padding: true` makes every answer 800-1,000 lines long, the padding
// lines with a count of 0, so its size does not hint at the prefix either.
// The check fails open: a slow, failing, redirected, oversized or garbled
// answer (or an unusable BREACHED_PASSWORD_API_URL) lets the password through
// with one log line, since the local rules have already passed and an outage
// of a third party must not stop sign-ups, changes and resets.
import { createHash } from 'node:crypto';
import { setting } from '../../config/settings.ts';
import { log } from '../../log/log.ts';

/** A range line: the 35 remaining hex characters of a SHA-1, a colon and how often it was seen. */
const RANGE_LINE = /^([0-9A-F]{35}):(\d{1,12})$/;

/**
 * The most of an answer that is read. A padded answer is 800-1,000 lines of
 * at most 50 bytes (about 40 KB; unpadded ones are no longer): a larger one is
 * not the range API's, and is dropped unread rather than held in memory.
 */
export const MAX_RANGE_BYTES = 256 * 1024;

/**
 * Whether the password has appeared in a known data breach. False when the
 * check is off (local development) or was skipped (logged as
 * `breached_check_skipped`, without the password or its hash).
 */
export async function isBreached(password: string): Promise<boolean> {
  if (!setting('breachedPasswordCheck')) return false;
  // NFC, as the stored hash sees it (hash.ts): equivalent spellings are one password.
  const sha1 = createHash('sha1').update(password.normalize('NFC'), 'utf8').digest('hex').toUpperCase();
  const timeoutMs = setting('breachedPasswordTimeoutMs');
  let base: string;
  try {
    base = setting('breachedPasswordApiUrl');
  } catch (error) {
    // A ConfigError names the variable in the line; the check fails open like any other failure.
    return skipped('BREACHED_PASSWORD_API_URL is refused', error);
  }
  const deadline = AbortSignal.timeout(timeoutMs);
  let body: string | undefined;
  try {
    const response = await fetch(`${base}/range/${sha1.slice(0, 5)}`, {
      headers: { 'Add-Padding': 'true' },
      // A redirect is answered as it is (a 3xx, refused below), never followed: not to http://, not anywhere.
      redirect: 'manual',
      signal: deadline,
    });
    if (!response.ok) {
      // Its body is of no use: free the connection.
      response.body?.cancel().catch(() => undefined);
      return skipped(`the range API answered ${response.status}`);
    }
    body = await beforeDeadline(textUpTo(response, MAX_RANGE_BYTES), deadline);
    if (body === undefined) return skipped(`the range API answered more than ${MAX_RANGE_BYTES} bytes`);
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return skipped(`no answer within ${timeoutMs} ms`);
    // Node's fetch says "fetch failed" and keeps why (DNS, TLS, refused) in its cause, whose code the line carries.
    const { cause } = error as Error;
    return skipped('the request failed', cause instanceof Error ? cause : error);
  }
  const count = countOf(sha1.slice(5), body);
  return count === undefined ? skipped('the range API answered a malformed body') : count > 0;
}

/**
 * The body within the same deadline. Node's fetch stops reading a body when
 * its signal aborts, but not every fetch does (msw's in the tests does not):
 * a body that stalls half-way must not hold the request either.
 */
function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  const timedOut = new Promise<never>((_, reject) => {
    if (deadline.aborted) reject(deadline.reason);
    deadline.addEventListener('abort', () => reject(deadline.reason), { once: true });
  });
  return Promise.race([work, timedOut]);
}

/** The body as text if it has at most `limit` bytes; undefined (the rest unread, the connection freed) if it has more. */
async function textUpTo(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return '';
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    response.body.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** How often `suffix` was seen according to a range answer (0 when absent or padding); undefined when a line is not a range line. */
function countOf(suffix: string, body: string): number | undefined {
  const lines = body.split(/\r?\n/).filter((line) => line !== '');
  // A padded answer is never empty: an empty one is as suspect as garbage.
  if (lines.length === 0) return undefined;
  let count = 0;
  for (const line of lines) {
    const match = RANGE_LINE.exec(line);
    if (match === null) return undefined;
    if (match[1] === suffix) count = Number(match[2]);
  }
  return count;
}

/** The new password was not checked against known breaches: one line saying why. */
function skipped(reason: string, error?: unknown): false {
  log('warn', 'breached_check_skipped', { reason }, error);
  return false;
}
