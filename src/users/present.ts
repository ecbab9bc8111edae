// How users, profiles and authors appear in responses (the README's API reference and the OpenAPI document).
import type { ProfileRow, UserRow } from '../db/schema.ts';

export type UserFields = Pick<UserRow, 'id' | 'username' | 'email' | 'confirmed_at' | 'created_at'>;

/** Who wrote a post or comment. */
export type Author = Pick<UserFields, 'id' | 'username'>;

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * The user columns of a row that joined `users` (LEFT JOIN included: the
 * caller has checked the user is there, so only `confirmed_at` may be null).
 */
export function userFieldsOf(row: Nullable<UserFields>): UserFields {
  return { id: row.id!, username: row.username!, email: row.email!, confirmed_at: row.confirmed_at, created_at: row.created_at! };
}

export interface UserView {
  id: number;
  username: string;
  email?: string;
  confirmed: boolean;
  createdAt: string;
}

/** `email` is shown to its owner only. */
export function presentUser(user: Omit<UserFields, 'email'> & { email?: string }, options: { withEmail: boolean }): UserView {
  return {
    id: user.id,
    username: user.username,
    ...(options.withEmail && user.email !== undefined ? { email: user.email } : {}),
    confirmed: user.confirmed_at !== null,
    createdAt: user.created_at.toISOString(),
  };
}

/** The user of `GET /api/me`: with whether the address is proven (a second factor needs it) and which factors are on. */
export interface AccountUserView extends UserView {
  email: string;
  emailVerified: boolean;
  mfa: { totp: boolean };
}

export function presentAccountUser(user: UserFields & { email_verified_at: Date | null; totp_enabled: boolean }): AccountUserView {
  return {
    ...presentUser(user, { withEmail: true }),
    email: user.email,
    emailVerified: user.email_verified_at !== null,
    mfa: { totp: user.totp_enabled },
  };
}

export type ProfileFields = Pick<ProfileRow, 'bio' | 'location' | 'birthday' | 'gender' | 'marital_status'>;

export interface ProfileView {
  bio: string | null;
  location: string | null;
  birthday: string | null;
  gender: ProfileRow['gender'];
  maritalStatus: ProfileRow['marital_status'];
}

export function presentProfile(profile: ProfileFields): ProfileView {
  return {
    bio: profile.bio,
    location: profile.location,
    birthday: profile.birthday,
    gender: profile.gender,
    maritalStatus: profile.marital_status,
  };
}

export function profileUrl(username: string): string {
  return `/api/users/${username}`;
}

export interface AuthorRef {
  id: number;
  username: string;
  profileUrl: string;
}

export function authorRef(id: number, username: string): AuthorRef {
  return { id, username, profileUrl: profileUrl(username) };
}
