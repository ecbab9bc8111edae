// Classification of driver errors, so callers can answer 409 or 503 instead of 500.
import { log } from '../log/log.ts';

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the database cannot be reached or dropped the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = codeOf(error);
  if (code !== undefined) {
    // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now; 53300: too many connections.
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300') return true;
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
  }
  // The last two are Neon's HTTP query function: the request failed, or its endpoint answered 5xx.
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|WebSocket|Client has encountered a connection error|Error connecting to database|Server error \(HTTP status 5\d\d\)/i.test(
    error.message,
  );
}

/**
 * True when Postgres ended the statement to break a deadlock (40P01) or a
 * serialization conflict (40001): nothing of its transaction was applied,
 * and the same request may succeed at once. The lock orders are meant to rule
 * deadlocks out, so one is a bug to fix; until then the client gets a 503 to
 * retry, not a 500.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === '40P01' || code === '40001';
}

/** The name of the unique constraint a statement violated, if that is what failed. */
export function uniqueViolation(error: unknown): string | undefined {
  return violatedConstraint(error, '23505');
}

/** The name of the foreign key a statement violated, if that is what failed. */
export function foreignKeyViolation(error: unknown): string | undefined {
  return violatedConstraint(error, '23503');
}

/** The name of the CHECK constraint a statement violated, if that is what failed. */
export function checkViolation(error: unknown): string | undefined {
  return violatedConstraint(error, '23514');
}

function violatedConstraint(error: unknown, sqlState: string): string | undefined {
  if (codeOf(error) !== sqlState) return undefined;
  const constraint = (error as { constraint?: unknown }).constraint;
  return typeof constraint === 'string' ? constraint : '';
}

/** What node-postgres' Pool and Neon's (the same API) emit. */
interface PoolEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'connect', listener: (client: { on(event: 'error', listener: (error: Error) => void): unknown }) => void): unknown;
}

/**
 * A connection the server closes (restart, failover, pg_terminate_backend, an
 * idle timeout) makes its client emit 'error', and the pool too while the
 * client is idle; an 'error' event nobody listens to crashes the process. The
 * pool already drops such a client and a query on it fails with the same
 * error (answered 503), so the event is only logged.
 */
export function surviveLostConnections(pool: PoolEvents): void {
  const lost = (error: Error) => log('warn', 'database_connection_lost', {}, error);
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
}
