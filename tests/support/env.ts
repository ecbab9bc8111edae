// Environment overrides for tests. Settings are parsed once per process
// (src/config/settings.ts), so every change made here also resets them.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { resetSettings } from '../../src/config/settings.ts';

type Values = Record<string, string | undefined>;

function apply(values: Values): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetSettings();
}

/** Sets (a string) or unsets (undefined) variables now; returns what puts the previous values back. */
export function setEnv(values: Values): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  apply(values);
  return () => apply(saved);
}

/** These variables for every test of the file (call at the top level of a file or describe). */
export function envForFile(values: Values): void {
  let restore: (() => void) | undefined;
  beforeAll(() => {
    restore = setEnv(values);
  });
  afterAll(() => restore?.());
}

/** A setEnv whose changes are undone after each test: `const env = envPerTest(); … env({CONTEXT: 'production'})`. */
export function envPerTest(): (values: Values) => void {
  const restores: (() => void)[] = [];
  afterEach(() => {
    while (restores.length > 0) restores.pop()!();
  });
  return (values) => void restores.push(setEnv(values));
}
