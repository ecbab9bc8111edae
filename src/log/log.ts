// The service's one logger: every line is one JSON object (src/log/README.md).
// A request's lines carry its id, declared route, method and, once known, the
// account, from the scope route() opens around it; nothing else need pass them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ConfigError, setting } from '../config/settings.ts';

export type Level = 'info' | 'warn' | 'error';

/** Only plain values: an object could carry a password, a token or a cookie into the log unseen. */
export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface RequestScope {
  requestId: string;
  /** The declared path (`/api/register/confirm/:code`), never the requested one: a path may hold a secret. */
  route: string;
  method?: string;
  accountId?: number;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Netlify's id of the request (`x-nf-request-id`) when it has a sane form, else a random one. */
export function requestIdOf(req: Request | undefined): string {
  const given = req?.headers.get('x-nf-request-id');
  return given != null && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Runs `work` with `scope` added to every line it logs, its background work included. */
export function inRequestScope<T>(scope: RequestScope, work: () => T): T {
  return scopes.run({ ...scope }, work);
}

/** The account the current request acts on, for its later lines (a login's account even when the password is wrong). */
export function noteAccount(accountId: number): void {
  const scope = scopes.getStore();
  if (scope !== undefined) scope.accountId = accountId;
}

const WRITERS: Record<Level, (line: string) => void> = {
  info: (line) => console.info(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

/** Long enough for a stack; an unexpectedly long value is cut rather than flooding the log. */
const MAX_TEXT = 4000;

/** A code from a fixed vocabulary (SQLSTATE `57P01`, Node's `ECONNREFUSED`), never free text. */
const SAFE_CODE = /^[A-Z0-9_]{2,40}$/;

/**
 * What an error may put in a line: its class, and a code from a fixed
 * vocabulary. Never its message, which may quote a value the request sent or a
 * row held (a driver's error does), but for a ConfigError's, which is ours and
 * names a variable, never its value. In local development, the stack's frames
 * too (without the message line that heads them), to find what threw.
 */
function errorFields(error: unknown): Record<string, LogValue> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    errorName: error.name,
    errorCode: typeof code === 'string' && SAFE_CODE.test(code) ? code : undefined,
    errorMessage: error instanceof ConfigError ? error.message : undefined,
    stack: localDevelopment() ? frames(error.stack) : undefined,
  };
}

const frames = (stack: string | undefined) =>
  stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');

/** A broken setting must not stop the line from being written. */
function localDevelopment(): boolean {
  try {
    return setting('localDevelopment');
  } catch {
    return false;
  }
}

/**
 * Writes one line: `{time, level, event, requestId, route, method, accountId, …fields}`
 * (absent values left out), through the console method of its level. `event`
 * names what happened (`request`, `unhandled_error`, `mail_not_configured`, …);
 * `error`, when given, adds only what errorFields() allows.
 */
export function log(level: Level, event: string, fields: LogFields = NO_FIELDS, error?: unknown): void {
  const time = new Date().toISOString();
  const line: Record<string, LogValue> =
    error === undefined
      ? { time, level, event, ...scopes.getStore(), ...fields }
      : { time, level, event, ...scopes.getStore(), ...fields, ...errorFields(error) };
  // A field never overrides these three (assigning keeps their place first).
  line.time = time;
  line.level = level;
  line.event = event;
  // Every value is plain (LogValue): one pass cuts long text, and JSON.stringify
  // keeps its fast path, which a replacer function would leave (one line per request).
  for (const key in line) {
    const value = line[key];
    if (typeof value === 'string' && value.length > MAX_TEXT) line[key] = `${value.slice(0, MAX_TEXT)}…`;
  }
  WRITERS[level](JSON.stringify(line));
}

const NO_FIELDS: LogFields = Object.freeze({});
