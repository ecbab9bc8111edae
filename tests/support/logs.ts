// The service's log lines as a test sees them: every console method captured
// (and kept off the test output), each line parsed as the JSON object it must be.
import { vi } from 'vitest';

export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  requestId?: string;
  route?: string;
  method?: string;
  status?: number;
  durationMs?: number;
  accountId?: number;
  [field: string]: unknown;
}

export interface CapturedLogs {
  /** Every line as written. */
  readonly raw: string[];
  /** Every line parsed; throws, naming the line, if one is not a JSON object. */
  lines(): LogLine[];
  /** The lines of one event. */
  of(event: string): LogLine[];
  restore(): void;
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

export function captureLogs(): CapturedLogs {
  const raw: string[] = [];
  const spies = METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void raw.push(args.map(String).join(' '))),
  );
  const lines = () =>
    raw.map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`not a JSON object: ${line}`);
      return parsed as LogLine;
    });
  return {
    raw,
    lines,
    of: (event) => lines().filter((line) => line.event === event),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
