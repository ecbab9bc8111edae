// Every operation of both surfaces (shared/API.md), with the valibot schemas
// its function validates with and answers. The contract tests hold this table
// to the functions (same paths and methods) and to every response the
// endpoint tests receive (a status or body not listed here fails the run).
import * as v from 'valibot';
import {
  emailLoginSchema,
  emailResetFields,
  emailSignUpFields,
  loginSchema,
  passwordChangeSchema,
  registrationFields,
  resetFields,
} from '../../auth/bodies.ts';
import { emailRequestSchema } from '../../auth/email.ts';
import { secretSchema } from '../../auth/one-time-tokens.ts';
import { newCommentSchema, newPostSchema, postPatchSchema } from '../../content/rules.ts';
import { profilePatchSchema } from '../../users/profile-rules.ts';
import { usernameSchema } from '../../users/username.ts';
import { idSchema, paginationSchema } from '../params.ts';
import type { ErrorStyle, Method } from '../route.ts';
import * as r from './responses.ts';

export type HeaderName = 'Set-Cookie' | 'Location' | 'ETag' | 'Cache-Control';

export interface Answer {
  status: number;
  description: string;
  /** No body when absent. */
  body?: v.GenericSchema;
  headers?: HeaderName[];
}

export interface Operation {
  id: string;
  method: Method;
  /** The function's `config.path`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** A live session: Bearer token or cookie on /api, the cookie on the classic routes. */
  auth?: boolean;
  params?: Record<string, v.GenericSchema>;
  query?: typeof paginationSchema;
  body?: v.GenericSchema;
  answers: Answer[];
  /** Error statuses of this operation in API.md, beyond those every route of its kind shares (see document.ts). */
  errors?: number[];
  /** False for the routes that never reach the database (no 503). */
  database?: false;
}

/** API.md: `/api/*` is the JSON API, every other path a classic route (`{message}` errors). */
export const surfaceOf = (op: Operation): ErrorStyle => (op.path.startsWith('/api/') ? 'api' : 'classic');

const idParam = { id: idSchema };
const noContent = (description: string, headers?: HeaderName[]): Answer => ({ status: 204, description, ...(headers && { headers }) });

const PAGINATED = 'Paged with `page` and `pageSize`; a page past the end has no items and the real total.';

export const OPERATIONS: readonly Operation[] = [
  // Accounts
  {
    id: 'register',
    method: 'POST',
    path: '/api/register',
    tag: 'Accounts',
    summary: 'Register; the account is inactive until its e-mail address is confirmed',
    description: 'A confirmation code valid 10 minutes is e-mailed. A 503 means the e-mail could not be sent: nothing was kept.',
    body: registrationFields,
    answers: [{ status: 201, description: 'Registered, not confirmed yet', body: r.registered }],
    errors: [409, 429],
  },
  ...(['GET', 'POST'] as const).map(
    (method): Operation => ({
      id: `confirmRegistration${method === 'GET' ? 'Link' : ''}`,
      method,
      path: '/api/register/confirm/:code',
      tag: 'Accounts',
      summary: method === 'GET' ? 'Confirm an e-mail address (the link in the e-mail)' : 'Confirm an e-mail address',
      description: 'The code is single-use.',
      params: { code: secretSchema },
      answers: [{ status: 200, description: 'Confirmed', body: r.withUser }],
      errors: [404, 410],
    }),
  ),
  {
    id: 'resendConfirmation',
    method: 'POST',
    path: '/api/register/resend',
    tag: 'Accounts',
    summary: 'Send a new confirmation code (it replaces the previous one)',
    body: emailRequestSchema,
    answers: [{ status: 202, description: 'Accepted, whether or not an unconfirmed account uses the address', body: r.resendAccepted }],
    errors: [429],
  },
  {
    id: 'login',
    method: 'POST',
    path: '/api/login',
    tag: 'Accounts',
    summary: 'Log in with a username or an e-mail address (exactly one of them) and the password',
    description:
      'The token is also set as the `session_id` cookie. 403 `account_not_confirmed` only after a correct password; 403 `forbidden` for a request ' +
      'from another origin (`Origin`, or `Sec-Fetch-Site: cross-site`): login CSRF. 429 also when the account had too many failed logins ' +
      'across all addresses, unless this address logged into it in the last 30 days.',
    body: loginSchema,
    answers: [{ status: 200, description: 'Logged in', body: r.loggedIn, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
  {
    id: 'logout',
    method: 'POST',
    path: '/api/logout',
    tag: 'Accounts',
    summary: 'Log out: the session is revoked and the cookie cleared',
    auth: true,
    answers: [noContent('Logged out', ['Set-Cookie'])],
  },
  {
    id: 'getMe',
    method: 'GET',
    path: '/api/me',
    tag: 'Accounts',
    summary: 'The caller and their profile',
    auth: true,
    answers: [{ status: 200, description: 'The caller', body: r.me }],
  },
  {
    id: 'updateProfile',
    method: 'PATCH',
    path: '/api/me/profile',
    tag: 'Profiles',
    summary: "Change the caller's profile",
    description: 'Absent fields stay as they are; `null` or an empty string clears one. `{}` changes nothing.',
    auth: true,
    body: profilePatchSchema,
    answers: [{ status: 200, description: 'The profile after the change', body: r.withProfile }],
  },
  {
    id: 'changePassword',
    method: 'PUT',
    path: '/api/me/password',
    tag: 'Accounts',
    summary: 'Change the password; every other session is revoked, this one kept',
    description:
      'A wrong `currentPassword` is a 400 with `details.currentPassword`. Every attempt is counted on the account\'s failed-login limits ' +
      '(per address, and across addresses); over one it is a 429 with `Retry-After`, before the password is checked.',
    auth: true,
    body: passwordChangeSchema,
    answers: [{ status: 200, description: 'Changed', body: r.passwordChanged }],
    errors: [429],
  },
  {
    id: 'listSessions',
    method: 'GET',
    path: '/api/me/sessions',
    tag: 'Accounts',
    summary: "The caller's live sessions",
    auth: true,
    answers: [{ status: 200, description: 'The sessions', body: r.sessionList }],
  },
  {
    id: 'deleteSession',
    method: 'DELETE',
    path: '/api/me/sessions/:id',
    tag: 'Accounts',
    summary: "Revoke one of the caller's sessions",
    description: "Another user's session is a 404. Revoking the current session also clears the cookie.",
    auth: true,
    params: idParam,
    answers: [noContent('Revoked', ['Set-Cookie'])],
    errors: [404],
  },
  {
    id: 'forgotPassword',
    method: 'POST',
    path: '/api/password/forgot',
    tag: 'Accounts',
    summary: 'Ask for a password reset token (single use, valid 30 minutes)',
    body: emailRequestSchema,
    answers: [{ status: 202, description: 'Accepted, whether or not an account uses the address', body: r.resetRequested }],
    errors: [429],
  },
  {
    id: 'resetPassword',
    method: 'POST',
    path: '/api/password/reset',
    tag: 'Accounts',
    summary: 'Set a new password with a reset token; every session of the account is revoked',
    body: resetFields,
    answers: [{ status: 200, description: 'Reset', body: r.passwordReset }],
    errors: [404, 410],
  },
  {
    id: 'health',
    method: 'GET',
    path: '/api/health',
    tag: 'System',
    summary: 'Liveness, after a database round trip',
    answers: [{ status: 200, description: 'Up', body: r.health }],
  },
  {
    id: 'getOpenApi',
    method: 'GET',
    path: '/api/openapi.json',
    tag: 'System',
    summary: 'This document',
    description: 'Cacheable; send `If-None-Match` with the ETag to revalidate.',
    answers: [
      { status: 200, description: 'The OpenAPI document', body: r.openApiDocument, headers: ['ETag', 'Cache-Control'] },
      { status: 304, description: 'Not modified since the ETag sent', headers: ['ETag', 'Cache-Control'] },
    ],
    database: false,
  },
  // Profiles and content
  {
    id: 'listUsers',
    method: 'GET',
    path: '/api/users',
    tag: 'Profiles',
    summary: 'Every user, by username',
    description: PAGINATED,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of users', body: r.userPage }],
  },
  {
    id: 'getUser',
    method: 'GET',
    path: '/api/users/:username',
    tag: 'Profiles',
    summary: "A user's public page (never the e-mail address)",
    params: { username: usernameSchema },
    answers: [{ status: 200, description: 'The user, their profile and counts', body: r.publicProfile }],
    errors: [404],
  },
  {
    id: 'listPosts',
    method: 'GET',
    path: '/api/posts',
    tag: 'Content',
    summary: 'Every post, newest first',
    description: PAGINATED,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of posts', body: r.postPage }],
  },
  {
    id: 'createPost',
    method: 'POST',
    path: '/api/posts',
    tag: 'Content',
    summary: 'Write a post',
    auth: true,
    body: newPostSchema,
    answers: [{ status: 201, description: 'Created', body: r.withPost }],
  },
  {
    id: 'getPost',
    method: 'GET',
    path: '/api/posts/:id',
    tag: 'Content',
    summary: 'A post',
    params: idParam,
    answers: [{ status: 200, description: 'The post', body: r.withPost }],
    errors: [404],
  },
  {
    id: 'updatePost',
    method: 'PATCH',
    path: '/api/posts/:id',
    tag: 'Content',
    summary: 'Change a post (its author only)',
    description: 'Absent fields stay as they are; `{}` changes nothing.',
    auth: true,
    params: idParam,
    body: postPatchSchema,
    answers: [{ status: 200, description: 'The post after the change', body: r.withPost }],
    errors: [404],
  },
  {
    id: 'deletePost',
    method: 'DELETE',
    path: '/api/posts/:id',
    tag: 'Content',
    summary: 'Delete a post and its comments (its author only)',
    auth: true,
    params: idParam,
    answers: [noContent('Deleted')],
    errors: [404],
  },
  {
    id: 'listComments',
    method: 'GET',
    path: '/api/posts/:id/comments',
    tag: 'Content',
    summary: 'The comments of a post, oldest first',
    description: PAGINATED,
    params: idParam,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of comments', body: r.commentPage }],
    errors: [404],
  },
  {
    id: 'createComment',
    method: 'POST',
    path: '/api/posts/:id/comments',
    tag: 'Content',
    summary: 'Comment on a post',
    auth: true,
    params: idParam,
    body: newCommentSchema,
    answers: [{ status: 201, description: 'Created', body: r.withComment }],
    errors: [404],
  },
  {
    id: 'deleteComment',
    method: 'DELETE',
    path: '/api/comments/:id',
    tag: 'Content',
    summary: "Delete a comment (its author or the post's)",
    auth: true,
    params: idParam,
    answers: [noContent('Deleted')],
    errors: [404],
  },
  // The classic routes
  {
    id: 'classicWelcome',
    method: 'GET',
    path: '/',
    tag: 'Classic',
    summary: 'Welcome',
    answers: [{ status: 200, description: 'Bienvenue', body: r.classicMessage }],
    database: false,
  },
  {
    id: 'classicRegister',
    method: 'POST',
    path: '/users',
    tag: 'Classic',
    summary: 'Register; the account can log in at once, under a username derived from the e-mail',
    description: 'A registered address is a 400 `{"message": "email already registered"}`.',
    body: emailSignUpFields,
    answers: [{ status: 200, description: 'Registered', body: r.classicAccount }],
    errors: [429],
  },
  {
    id: 'classicLogin',
    method: 'POST',
    path: '/sessions',
    tag: 'Classic',
    summary: 'Log in: sets the session_id cookie',
    description: 'A request from another origin (`Origin`, or `Sec-Fetch-Site: cross-site`) is a 403 (login CSRF).',
    body: emailLoginSchema,
    answers: [{ status: 200, description: 'Logged in', body: r.classicAccount, headers: ['Set-Cookie'] }],
    errors: [401, 403, 429],
  },
  {
    id: 'classicLogout',
    method: 'DELETE',
    path: '/sessions',
    tag: 'Classic',
    summary: 'Log out: the session is destroyed',
    auth: true,
    answers: [{ status: 302, description: 'Logged out, redirected to /', headers: ['Location', 'Set-Cookie'] }],
  },
  {
    id: 'classicProfile',
    method: 'GET',
    path: '/profile',
    tag: 'Classic',
    summary: "The caller's e-mail address",
    auth: true,
    answers: [{ status: 200, description: 'The caller', body: r.classicProfile }],
  },
  {
    id: 'classicRequestReset',
    method: 'POST',
    path: '/reset_password',
    tag: 'Classic',
    summary: 'Ask for a reset token',
    description: 'An unknown address is a 403.',
    body: emailRequestSchema,
    answers: [{ status: 200, description: 'Token issued', body: r.classicResetIssued }],
    errors: [403, 429],
  },
  {
    id: 'classicResetPassword',
    method: 'PUT',
    path: '/reset_password',
    tag: 'Classic',
    summary: 'Set a new password with a reset token; every session is revoked',
    description: 'A wrong or used token, or one of another account, is a 403.',
    body: emailResetFields,
    answers: [{ status: 200, description: 'Password updated', body: r.classicAccount }],
    errors: [403],
  },
];

/**
 * Every schema the operations use, by component name: generated clients name
 * their types after these, and each schema is converted once.
 */
export const COMPONENT_SCHEMAS: Readonly<Record<string, v.GenericSchema>> = {
  Id: idSchema,
  Username: usernameSchema,
  Code: secretSchema,
  Page: paginationSchema.entries.page,
  PageSize: paginationSchema.entries.pageSize,
  Registration: registrationFields,
  Login: loginSchema,
  EmailRequest: emailRequestSchema,
  PasswordChange: passwordChangeSchema,
  PasswordReset: resetFields,
  ProfilePatch: profilePatchSchema,
  NewPost: newPostSchema,
  PostPatch: postPatchSchema,
  NewComment: newCommentSchema,
  ClassicSignUp: emailSignUpFields,
  ClassicLogin: emailLoginSchema,
  ClassicPasswordReset: emailResetFields,
  User: r.userView,
  PublicUser: r.publicUserView,
  Profile: r.profileView,
  AuthorRef: r.authorRef,
  UserListItem: r.directoryEntry,
  Post: r.postView,
  Comment: r.commentView,
  Session: r.sessionItem,
  Registered: r.registered,
  UserAnswer: r.withUser,
  ResendAccepted: r.resendAccepted,
  LoggedIn: r.loggedIn,
  Me: r.me,
  ProfileAnswer: r.withProfile,
  PasswordChanged: r.passwordChanged,
  SessionList: r.sessionList,
  ResetRequested: r.resetRequested,
  PasswordResetDone: r.passwordReset,
  Health: r.health,
  OpenApiDocument: r.openApiDocument,
  UserPage: r.userPage,
  PublicProfile: r.publicProfile,
  PostPage: r.postPage,
  PostAnswer: r.withPost,
  CommentPage: r.commentPage,
  CommentAnswer: r.withComment,
  ClassicMessage: r.classicMessage,
  ClassicAccount: r.classicAccount,
  ClassicProfile: r.classicProfile,
  ClassicResetIssued: r.classicResetIssued,
};
