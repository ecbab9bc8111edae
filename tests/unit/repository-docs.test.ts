// The repository stands alone: no tracked file refers to documents kept
// outside it, the README stays a user's guide (under 25 KB), and every relative
// link in the READMEs points at a file of the repository.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const README_LIMIT = 25_000;

// Spelled in pieces so this file does not match itself.
const OUTSIDE_REFERENCES = ['API', 'DESIGN'].map((name) => `shared/${name}.md`).concat(`..${'/shared/'}`);

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path !== '');
const trackedSet = new Set(tracked);
const readmes = tracked.filter((path) => posix.basename(path) === 'README.md');

const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

/** Inline markdown link targets, outside code blocks and code spans. */
function linksIn(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

/** What is wrong with one link of `from`, or undefined when it resolves. */
function brokenLink(from: string, target: string): string | undefined {
  if (/^[a-z][a-z\d+.-]*:/i.test(target)) return undefined; // https:, mailto: …
  const [pathPart = '', fragment] = target.split('#', 2);
  const file = pathPart === '' ? from : posix.normalize(posix.join(posix.dirname(from), decodeURI(pathPart)));
  const isFile = trackedSet.has(file);
  const isFolder = tracked.some((path) => path.startsWith(`${file.replace(/\/$/, '')}/`));
  if (file.startsWith('../') || (!isFile && !isFolder)) return `${from}: ${target} (no such file in the repository)`;
  if (fragment !== undefined && isFile && file.endsWith('.md') && !anchorsIn(read(file)).has(fragment)) {
    return `${from}: ${target} (no heading with that anchor)`;
  }
  return undefined;
}

describe('the repository stands alone', () => {
  it('finds the links of a markdown text, not those in code', () => {
    const text = '[a](src/a.md) and [b](https://x.org)\n`[c](not/a/link)`\n```\n[d](nor/this)\n```\n[e](#top "title")';
    expect(linksIn(text)).toEqual(['src/a.md', 'https://x.org', '#top']);
    expect(anchorOf('The OpenAPI document: how (and why)')).toBe('the-openapi-document-how-and-why');
  });

  it('refers to no document kept outside the repository', () => {
    const offenders = tracked
      .filter((path) => path !== 'package-lock.json')
      .flatMap((path) => {
        let text: string;
        try {
          text = read(path);
        } catch {
          return []; // deleted in the working tree
        }
        return OUTSIDE_REFERENCES.filter((reference) => text.includes(reference)).map((reference) => `${path}: ${reference}`);
      });
    expect(offenders).toEqual([]);
  });

  it('keeps the README a user’s guide, under 25 KB', () => {
    expect(statSync(`${root}README.md`).size).toBeLessThanOrEqual(README_LIMIT);
  });

  it('links every folder README from the README, and every README link resolves', () => {
    expect(readmes).toContain('README.md');
    const linked = new Set(linksIn(read('README.md')).map((target) => posix.normalize(target.split('#')[0]!)));
    expect(readmes.filter((path) => path !== 'README.md' && !linked.has(path))).toEqual([]);
    const broken = readmes.flatMap((from) => linksIn(read(from)).flatMap((target) => brokenLink(from, target) ?? []));
    expect(broken).toEqual([]);
  });
});
