// The pages' only way to the service: same-origin fetch of the public JSON
// API, authenticated by the session_id cookie the login sets (HttpOnly, so no
// script ever holds a credential). Errors arrive as the API's envelope
// {error: {code, message, details}} and leave here as one ApiError.

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldErrors = {},
    readonly retryAfter?: number,
    /** With mfa_required only: the token of the login's second step. */
    readonly mfaToken?: string,
  ) {
    super(message);
  }
}

interface Envelope {
  error?: { code?: string; message?: string; details?: FieldErrors; mfaToken?: string };
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The service could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (res.ok) return parsed as T;
  const error = (parsed as Envelope | undefined)?.error;
  const retry = Number(res.headers.get('retry-after'));
  throw new ApiError(
    res.status,
    error?.code ?? 'unknown',
    error?.message ?? `The service answered ${res.status}.`,
    error?.details ?? {},
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
    error?.mfaToken,
  );
}

export const segment = encodeURIComponent;

// The shapes the pages read (README, "Accounts API" and "Profiles, users, posts and comments").
export interface Author {
  id: number;
  username: string;
}
export interface User {
  id: number;
  username: string;
  email?: string;
  confirmed: boolean;
  createdAt: string;
}
export interface Profile {
  bio: string | null;
  location: string | null;
  birthday: string | null;
  gender: string | null;
  maritalStatus: string | null;
}
export interface Me {
  user: User;
  profile: Profile;
}
export interface Post {
  id: number;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  author: Author;
}
export interface Comment {
  id: number;
  postId: number;
  body: string;
  createdAt: string;
  author: Author;
}
export interface Session {
  id: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}
export interface DirectoryEntry {
  id: number;
  username: string;
  createdAt: string;
}
export interface PublicProfile {
  user: DirectoryEntry;
  profile: Profile;
  stats: { posts: number; comments: number };
}
