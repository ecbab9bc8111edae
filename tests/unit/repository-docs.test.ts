// The repository stands alone and its docs stay true: no tracked file refers
// to documents kept outside it or to the issue that added it (a reader does not
// know the issues), the README stays a user's guide (under 25 KB), every
// relative link in the markdown points at a file of the repository, and every
// repository path a markdown code span or a code comment names exists.
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
const markdown = tracked.filter((path) => path.endsWith('.md'));
/** The folders at the top of the repository (src, tests, netlify, sql, .ci): a path starting with one is a repository path. */
const topFolders = new Set(tracked.filter((path) => path.includes('/')).map((path) => path.split('/')[0]!));

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

/** The text of a tracked file, or undefined for one deleted in the working tree or binary. */
function textOf(path: string): string | undefined {
  let text: string;
  try {
    text = read(path);
  } catch {
    return undefined;
  }
  return text.includes('\0') ? undefined : text;
}

// A label: the word (or its plural), perhaps a hyphen or `#`, and a number; spelled in pieces so this file does not match itself.
const ISSUE_LABEL = new RegExp(`\\b${'iss'}ues?[ -]?#?\\d+`, 'i');

/** The lines of `text` that label something by the issue that added it. */
const issueLabels = (path: string, text: string) =>
  text.split('\n').flatMap((line, index) => (ISSUE_LABEL.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : []));

/**
 * The repository path a code span or a comment names, without its `#anchor` or `:line`, or
 * undefined when the text is no such path: it must start with a top-level folder of the
 * repository and be a plain path (a glob, a `<placeholder>` or an ellipsis is a pattern, not a path).
 */
function repositoryPath(text: string): { path: string; anchor?: string } | undefined {
  const match = /^([\w.@-]+(?:\/[\w.@-]*)*)(?:#([a-z][\w-]*)|:\d+(?:-\d+)?)?$/.exec(text.trim());
  if (match === null || !match[1]!.includes('/') || !topFolders.has(match[1]!.split('/')[0]!)) return undefined;
  return { path: match[1]!.replace(/\/$/, ''), ...(match[2] !== undefined && { anchor: match[2] }) };
}

/** Code spans outside code blocks. */
const codeSpansIn = (text: string) => [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);

/** Paths of files (a name with an extension) in comment lines (`//`, ` * `, `--`, `#`) of code. */
function commentPathsIn(source: string): string[] {
  return source
    .split('\n')
    .filter((line) => /^\s*(\/\/|\/?\*|--|#)/.test(line))
    .flatMap((line) => [...line.matchAll(/(?<![\w./<-])((?:[\w.-]+\/)+[\w-]+(?:\.[\w-]+)+(?:#[a-z][\w-]*)?)/g)].map((match) => match[1]!));
}

/** Paths git ignores (build output such as `netlify/public/app/app.js`): named in the docs, never tracked. */
function ignoredOf(paths: string[]): Set<string> {
  if (paths.length === 0) return new Set();
  try {
    const out = execFileSync('git', ['check-ignore', '--no-index', '--stdin'], { cwd: root, encoding: 'utf8', input: paths.join('\n') });
    return new Set(out.split('\n').filter((line) => line !== ''));
  } catch {
    return new Set(); // exit status 1: none is ignored
  }
}

/** What is wrong with each repository path named in `named` ([file, text] pairs), if anything. */
function missingPaths(named: [string, string][]): string[] {
  const found = named.flatMap(([from, text]) => {
    const reference = repositoryPath(text);
    return reference === undefined ? [] : [{ from, text, ...reference }];
  });
  const exists = (path: string) => trackedSet.has(path) || tracked.some((file) => file.startsWith(`${path}/`));
  const ignored = ignoredOf([...new Set(found.map(({ path }) => path).filter((path) => !exists(path)))]);
  return found.flatMap(({ from, text, path, anchor }) => {
    if (!exists(path)) return ignored.has(path) ? [] : [`${from}: ${text} (no such file or folder in the repository)`];
    if (anchor !== undefined && path.endsWith('.md') && !anchorsIn(read(path)).has(anchor))
      return [`${from}: ${text} (no heading with that anchor)`];
    return [];
  });
}

/**
 * The top level as agreed, and the dotfiles git, npm and nvm read there (.ci is CI's); tool settings
 * live beside what they serve (Biome's in tests/lint.jsonc, as vitest's in tests/).
 */
const TOP_LEVEL = ['README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'netlify.toml', 'netlify', 'src', 'sql', 'tests'];
const DOTFILES = ['.gitignore', '.npmrc', '.nvmrc', '.ci'];

describe('the repository stands alone', () => {
  it('keeps the agreed top level: nothing beside it but the dotfiles its tools read there', () => {
    const entries = new Set(tracked.map((path) => path.split('/')[0]!));
    expect([...entries].filter((entry) => !TOP_LEVEL.includes(entry) && !DOTFILES.includes(entry))).toEqual([]);
  });

  it('finds the links of a markdown text, not those in code', () => {
    const text = '[a](src/a.md) and [b](https://x.org)\n`[c](not/a/link)`\n```\n[d](nor/this)\n```\n[e](#top "title")';
    expect(linksIn(text)).toEqual(['src/a.md', 'https://x.org', '#top']);
    expect(anchorOf('The OpenAPI document: how (and why)')).toBe('the-openapi-document-how-and-why');
  });

  it('refers to no document kept outside the repository', () => {
    const offenders = tracked
      .filter((path) => path !== 'package-lock.json')
      .flatMap((path) => {
        const text = textOf(path);
        if (text === undefined) return [];
        return OUTSIDE_REFERENCES.filter((reference) => text.includes(reference)).map((reference) => `${path}: ${reference}`);
      });
    expect(offenders).toEqual([]);
  });

  it('labels nothing by the issue that added it, in code, docs or test names', () => {
    const label = (n: number) => `${'Iss'}ue ${n}`;
    const sample = `// ${label(19)}: the second factor\nconst issues = result.issues[0];\n// ${'iss'}ue-14, ${'iss'}ues 14 and 17`;
    expect(issueLabels('a.ts', sample)).toEqual([
      `a.ts:1: // ${label(19)}: the second factor`,
      `a.ts:3: // ${'iss'}ue-14, ${'iss'}ues 14 and 17`,
    ]);
    const offenders = tracked
      .filter((path) => path !== 'package-lock.json')
      .flatMap((path) => {
        const text = textOf(path);
        return text === undefined ? [] : issueLabels(path, text);
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
    const broken = markdown.flatMap((from) => linksIn(read(from)).flatMap((target) => brokenLink(from, target) ?? []));
    expect(broken).toEqual([]);
  });

  it('tells a repository path from a pattern, a placeholder or other code', () => {
    expect(repositoryPath('src/auth/README.md#login')).toEqual({ path: 'src/auth/README.md', anchor: 'login' });
    expect(repositoryPath('tests/api/me.test.ts:12')).toEqual({ path: 'tests/api/me.test.ts' });
    expect(repositoryPath('src/web/')).toEqual({ path: 'src/web' });
    for (const text of [
      'tests/api/*-statements.test.ts',
      'netlify/functions/<name>.ts',
      'dist/functions/me.mjs',
      'GET /api/me',
      'a/b',
      'src/x y',
    ]) {
      expect(repositoryPath(text)).toBeUndefined();
    }
    expect(codeSpansIn('`src/a.ts` and ``\n```\n`src/b.ts`\n```\n')).toEqual(['src/a.ts']);
    expect(commentPathsIn('// see src/db/README.md#failures, and tests/support/call.ts.\nconst p = "src/x.ts";')).toEqual([
      'src/db/README.md#failures',
      'tests/support/call.ts',
    ]);
    expect(
      missingPaths([
        ['a.md', 'src/auth/jwt.ts'],
        ['a.md', 'src/db/README.md'],
        ['a.md', 'src/db/README.md#no-such-heading'],
      ]),
    ).toEqual([
      'a.md: src/auth/jwt.ts (no such file or folder in the repository)',
      'a.md: src/db/README.md#no-such-heading (no heading with that anchor)',
    ]);
  });

  it('names only repository paths that exist, in the markdown’s code spans and links and in code comments', () => {
    const inMarkdown = markdown.flatMap((from) => codeSpansIn(read(from)).map((text): [string, string] => [from, text]));
    const inComments = tracked
      .filter((path) => /\.(tsx?|sql|sh|toml)$/.test(path) || path === '.ci/run')
      .flatMap((from) => commentPathsIn(textOf(from) ?? '').map((text): [string, string] => [from, text]));
    expect(missingPaths([...inMarkdown, ...inComments])).toEqual([]);
  });
});
