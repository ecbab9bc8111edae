// The headers of the web pages under /app/, as Netlify reads them from
// netlify.toml (@netlify/config, offline): the same rule `netlify dev` and a
// deploy apply, checked without a browser (the browser suite checks that
// Chromium enforces it).
import { resolveConfig } from '@netlify/config';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const { config } = await resolveConfig({ cwd: ROOT, offline: true });

const PAGE_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

describe('the /app/ pages', () => {
  const rules = (config.headers ?? []).filter((rule: { for: string }) => rule.for === '/app/*');

  it('have one header rule, with the policy, no referrer, nosniff and no framing', () => {
    expect(rules).toHaveLength(1);
    expect(rules[0]!.values).toEqual({
      'Content-Security-Policy': PAGE_POLICY,
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
  });

  it('allow only their own files, no <base>, forms posted only here, no plugins and no framing', () => {
    const directives = new Map(
      String(rules[0]?.values['Content-Security-Policy'] ?? '')
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...sources]) => [name!, sources.join(' ')]),
    );
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
  });
});
