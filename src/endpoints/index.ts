// Every endpoint of the service, for what describes them all (the OpenAPI
// document, the benchmark). A function imports only its own declaration, so
// that its bundle carries no other endpoint's schemas.
import type { Endpoint } from '../http/endpoint.ts';
import { adminServiceKeysId } from './admin-service-keys-id.ts';
import { authProviderCallback } from './auth-provider-callback.ts';
import { authProviderStart } from './auth-provider-start.ts';
import { authProviders } from './auth-providers.ts';
import { adminServiceKeys } from './admin-service-keys.ts';
import { adminUsersIdBan } from './admin-users-id-ban.ts';
import { adminUsersIdMfa } from './admin-users-id-mfa.ts';
import { adminUsersIdPasskeys } from './admin-users-id-passkeys.ts';
import { adminUsersIdPasswordReset } from './admin-users-id-password-reset.ts';
import { adminUsersIdRole } from './admin-users-id-role.ts';
import { adminUsersIdSessions } from './admin-users-id-sessions.ts';
import { adminUsersId } from './admin-users-id.ts';
import { adminUsers } from './admin-users.ts';
import { classicProfile } from './classic-profile.ts';
import { classicResetPassword } from './classic-reset-password.ts';
import { classicSessions } from './classic-sessions.ts';
import { classicUsers } from './classic-users.ts';
import { commentsId } from './comments-id.ts';
import { health } from './health.ts';
import { jwks } from './jwks.ts';
import { loginMfaPasskeyOptions } from './login-mfa-passkey-options.ts';
import { loginMfa } from './login-mfa.ts';
import { loginPasskeyOptions } from './login-passkey-options.ts';
import { loginPasskey } from './login-passkey.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { meMfaRecoveryCodes } from './me-mfa-recovery-codes.ts';
import { meMfaTotpConfirm } from './me-mfa-totp-confirm.ts';
import { meMfaTotp } from './me-mfa-totp.ts';
import { meIdentitiesId } from './me-identities-id.ts';
import { meIdentities } from './me-identities.ts';
import { mePasskeysId } from './me-passkeys-id.ts';
import { mePasskeysOptions } from './me-passkeys-options.ts';
import { mePasskeys } from './me-passkeys.ts';
import { mePassword } from './me-password.ts';
import { meStepUpOptions } from './me-step-up-options.ts';
import { meProfile } from './me-profile.ts';
import { meCurrentSession } from './me-current-session.ts';
import { meSession } from './me-session.ts';
import { meSessions } from './me-sessions.ts';
import { meEmailConfirm } from './me-email-confirm.ts';
import { meEmail } from './me-email.ts';
import { meEvents } from './me-events.ts';
import { me } from './me.ts';
import { openapi } from './openapi.ts';
import { oauthAuthorizationServer } from './oauth-authorization-server.ts';
import { openidConfiguration } from './openid-configuration.ts';
import { passwordForgot } from './password-forgot.ts';
import { passwordReset } from './password-reset.ts';
import { postsIdComments } from './posts-id-comments.ts';
import { postsId } from './posts-id.ts';
import { posts } from './posts.ts';
import { registerConfirm } from './register-confirm.ts';
import { registerResend } from './register-resend.ts';
import { register } from './register.ts';
import { root } from './root.ts';
import { token } from './token.ts';
import { usersUsername } from './users-username.ts';
import { users } from './users.ts';

/** By the netlify/functions file that serves each, in the order the document lists them. */
export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  register: register,
  'register-confirm': registerConfirm,
  'register-resend': registerResend,
  login: login,
  'login-mfa': loginMfa,
  'login-mfa-passkey-options': loginMfaPasskeyOptions,
  'login-passkey-options': loginPasskeyOptions,
  'login-passkey': loginPasskey,
  'auth-providers': authProviders,
  'auth-provider-start': authProviderStart,
  'auth-provider-callback': authProviderCallback,
  logout: logout,
  me: me,
  'me-profile': meProfile,
  'me-password': mePassword,
  'me-mfa-totp': meMfaTotp,
  'me-mfa-totp-confirm': meMfaTotpConfirm,
  'me-mfa-recovery-codes': meMfaRecoveryCodes,
  'me-passkeys-options': mePasskeysOptions,
  'me-passkeys': mePasskeys,
  'me-passkeys-id': mePasskeysId,
  'me-identities': meIdentities,
  'me-identities-id': meIdentitiesId,
  'me-step-up-options': meStepUpOptions,
  'me-current-session': meCurrentSession,
  'me-sessions': meSessions,
  'me-session': meSession,
  'me-events': meEvents,
  'me-email': meEmail,
  'me-email-confirm': meEmailConfirm,
  'password-forgot': passwordForgot,
  'password-reset': passwordReset,
  token: token,
  jwks: jwks,
  'openid-configuration': openidConfiguration,
  'oauth-authorization-server': oauthAuthorizationServer,
  health: health,
  openapi: openapi,
  users: users,
  'users-username': usersUsername,
  posts: posts,
  'posts-id': postsId,
  'posts-id-comments': postsIdComments,
  'comments-id': commentsId,
  'admin-users': adminUsers,
  'admin-users-id': adminUsersId,
  'admin-users-id-ban': adminUsersIdBan,
  'admin-users-id-sessions': adminUsersIdSessions,
  'admin-users-id-role': adminUsersIdRole,
  'admin-users-id-password-reset': adminUsersIdPasswordReset,
  'admin-users-id-mfa': adminUsersIdMfa,
  'admin-users-id-passkeys': adminUsersIdPasskeys,
  'admin-service-keys': adminServiceKeys,
  'admin-service-keys-id': adminServiceKeysId,
  root: root,
  'classic-users': classicUsers,
  'classic-sessions': classicSessions,
  'classic-profile': classicProfile,
  'classic-reset-password': classicResetPassword,
};
