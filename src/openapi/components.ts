// The schemas of the OpenAPI document's components, by name.
import type * as v from 'valibot';
import { adminStepUpSchema, banSchema, passkeysRemovalSchema, roleSchema, serviceKeySchema } from '../auth/admin/bodies.ts';
import { emailRequestSchema } from '../auth/accounts/email.ts';
import { secretSchema } from '../auth/codes/tokens.ts';
import { emailChangeSchema } from '../auth/email-change/bodies.ts';
import { emailLoginSchema, loginSchema } from '../auth/login/bodies.ts';
import { confirmSchema, disableSchema, enrolSchema, recoveryCodesSchema, secondStepSchema } from '../auth/mfa/bodies.ts';
import {
  addPasskeySchema,
  passkeyOptionsSchema,
  passkeySignInSchema,
  removePasskeySchema,
  renamePasskeySchema,
  secondStepOptionsSchema,
} from '../auth/passkeys/bodies.ts';
import { passwordChangeSchema, passwordProofSchema } from '../auth/passwords/rules.ts';
import { linkIdentitySchema, providerParam, unlinkIdentitySchema } from '../auth/providers/bodies.ts';
import { emailResetFields, resetFields } from '../auth/reset/bodies.ts';
import { emailSignUpFields, registrationFields } from '../auth/signup/bodies.ts';
import { idSchema } from '../common/ids.ts';
import { paginationSchema } from '../common/pagination.ts';
import { newCommentSchema, newPostSchema, postPatchSchema } from '../content/rules.ts';
import * as a from '../endpoints/admin-responses.ts';
import * as r from '../endpoints/responses.ts';
import { profilePatchSchema } from '../users/profile-rules.ts';
import { usernameSchema } from '../users/username.ts';

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
  Cursor: paginationSchema.entries.cursor,
  Registration: registrationFields,
  Login: loginSchema,
  EmailRequest: emailRequestSchema,
  PasswordChange: passwordChangeSchema,
  PasswordProof: passwordProofSchema,
  EmailChange: emailChangeSchema,
  TotpEnrolment: enrolSchema,
  TotpConfirmation: confirmSchema,
  TotpRemoval: disableSchema,
  RecoveryCodesRenewal: recoveryCodesSchema,
  LoginSecondStep: secondStepSchema,
  LoginSecondStepPasskeyOptions: secondStepOptionsSchema,
  PasskeyEnrolmentStart: passkeyOptionsSchema,
  PasskeyEnrolment: addPasskeySchema,
  PasskeyRename: renamePasskeySchema,
  PasskeyRemoval: removePasskeySchema,
  PasskeySignIn: passkeySignInSchema,
  ProviderId: providerParam.provider,
  IdentityLink: linkIdentitySchema,
  IdentityUnlink: unlinkIdentitySchema,
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
  AccountUser: r.accountUserView,
  Profile: r.profileView,
  AuthorRef: r.authorRef,
  UserListItem: r.directoryEntry,
  Post: r.postView,
  Comment: r.commentView,
  Session: r.sessionItem,
  CurrentSession: r.currentSession,
  RecoveryCodes: r.recoveryCodes,
  Registered: r.registered,
  UserAnswer: r.withUser,
  EmailChangeRequested: r.emailChangeRequested,
  ResendAccepted: r.resendAccepted,
  LoggedIn: r.loggedIn,
  Me: r.me,
  ProfileAnswer: r.withProfile,
  PasswordChanged: r.passwordChanged,
  TotpSecret: r.totpEnrolment,
  MfaEnabled: r.mfaEnabled,
  Passkey: r.passkeyView,
  PasskeyAnswer: r.passkey,
  PasskeyList: r.passkeyList,
  PasskeyOptions: r.passkeyOptions,
  IdentityProviderList: r.providerList,
  Identity: r.identityView,
  IdentityList: r.identityList,
  IdentityLinkStarted: r.linkStarted,
  SessionList: r.sessionList,
  SessionsRevoked: r.sessionsRevoked,
  Event: r.eventView,
  EventPage: r.eventPage,
  ResetRequested: r.resetRequested,
  PasswordResetDone: r.passwordReset,
  Health: r.health,
  OpenApiDocument: r.openApiDocument,
  // Operators (src/auth/admin).
  UserSearchPrefix: a.userSearchQuery.entries.q,
  UserSearchRole: a.userSearchQuery.entries.role,
  UserSearchState: a.userSearchQuery.entries.state,
  AdminUser: a.adminUser,
  AdminUserPage: a.adminUserPage,
  AdminUserDetail: a.adminUserDetail,
  Ban: banSchema,
  RoleChange: roleSchema,
  SessionsEnded: a.revokedSessions,
  ResetSent: a.resetSent,
  NewServiceKeyRequest: serviceKeySchema,
  ServiceKey: a.serviceKey,
  ServiceKeyPage: a.serviceKeyPage,
  NewServiceKey: a.newServiceKey,
  AdminStepUp: adminStepUpSchema,
  PasskeysRemoval: passkeysRemovalSchema,
  PasskeysRemoved: a.removedPasskeys,
  // Access tokens and the keys that verify them.
  AccessToken: r.accessToken,
  PublicJwk: r.publicJwk,
  Jwks: r.jwks,
  IssuerMetadata: r.openIdConfiguration,
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
