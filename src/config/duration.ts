// Durations written as `<number><unit>` with unit ms, s, m, h or d (e.g. `500ms`, `15m`, `7d`).
import * as v from 'valibot';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(text: string): number | undefined {
  const match = /^(\d{1,9})(ms|[smhd])$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : undefined;
}

export const durationSchema = v.pipe(
  v.string(),
  v.check((text) => durationMs(text) !== undefined, 'must be a positive duration such as 500ms, 30s, 15m, 2h or 7d'),
  v.transform((text) => durationMs(text)!),
);
