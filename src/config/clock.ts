// The service's notion of "now". Every expiry and rate-limit window is
// computed from it and passed to SQL as a parameter, so tests can move time
// instead of sleeping.
let source: () => Date = () => new Date();

export function now(): Date {
  return source();
}

/** Tests only: replace the clock; call with no argument to restore the real one. */
export function setClock(next?: () => Date): void {
  source = next ?? (() => new Date());
}
