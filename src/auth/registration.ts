// Registration. An account registered through the JSON API is inactive until
// its 10-minute confirmation code comes back (email-confirmation.ts).
import * as v from 'valibot';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import type { UserRow } from '../db/schema.ts';
import { parseAsync } from '../http/validate.ts';
import { consume } from '../rate-limit/counter.ts';
import { checks } from '../rate-limit/limits.ts';
import { registrationFields } from './bodies.ts';
import type { Client } from './client.ts';
import { deliverSecret } from './delivery.ts';
import { newToken, TOKEN_COLUMNS, tokenValues, type NewToken } from './one-time-tokens.ts';
import { hashPassword } from './password-hash.ts';
import { accountContext, passwordRules } from './password-policy.ts';
import { addUser, mapDuplicates, withNewUser } from './users.ts';

export interface Registration {
  username: string;
  email: string;
  password: string;
}

export const registrationSchema = v.pipeAsync(
  registrationFields,
  passwordRules<Registration>('password', accountContext),
);

/** The body as a Registration, or 400 listing every broken rule of every field. */
const parseRegistration = (body: unknown): Promise<Registration> => parseAsync(registrationSchema, body);

interface Created {
  user: UserRow;
  /** The confirmation code, for an account that must confirm its address. */
  token?: NewToken;
}

/** Hash and insert: user, empty profile and (unless confirmed) the code, in 1 statement. */
async function createAccount(input: Registration, confirmed: boolean): Promise<Created> {
  const passwordHash = await hashPassword(input.password);
  if (confirmed) return { user: await addUser({ ...input, passwordHash, confirmedAt: now() }) };
  const token = newToken('confirm_email');
  const user = await mapDuplicates(() =>
    withNewUser({ ...input, passwordHash })
      .with('new_token', (qb) =>
        qb
          .insertInto('one_time_tokens')
          .columns([...TOKEN_COLUMNS])
          .expression((eb) => eb.selectFrom('new_user').select(['id', ...tokenValues(token)])),
      )
      .selectFrom('new_user')
      .selectAll()
      .executeTakeFirstOrThrow(),
  );
  return { user, token };
}

/**
 * Register a user (the classic operation): every rule checked (400), then 1
 * statement; a taken username or e-mail is 409. Without `confirmed` the
 * account needs its confirmation code, returned here for the caller to deliver.
 */
export async function registerUser(input: Registration, options: { confirmed?: boolean } = {}): Promise<Created> {
  return createAccount(await parseRegistration(input), options.confirmed === true);
}

export interface SignUp {
  user: UserRow;
  confirmation?: { expiresAt: Date; code?: string };
}

/**
 * A registration request from `client`: every rule checked (400, counting
 * nothing), the per-address limit (1 statement), the account (1 statement),
 * then delivery of the code. If the mail provider fails, the account is
 * removed again (1 more statement) and the answer is 503, so the address and
 * username are free for the retry.
 */
export async function signUp(body: unknown, client: Client, options: { confirmed?: boolean } = {}): Promise<SignUp> {
  const input = await parseRegistration(body);
  await consume([checks.registerIp(client.ip)]);
  const { user, token } = await createAccount(input, options.confirmed === true);
  if (token === undefined) return { user };
  let revealed: boolean;
  try {
    ({ revealed } = await deliverSecret({ to: user, token, baseUrl: client.baseUrl }));
  } catch (error) {
    await getDb().deleteFrom('users').where('id', '=', user.id).where('confirmed_at', 'is', null).execute();
    throw error;
  }
  return { user, confirmation: { expiresAt: token.expiresAt, ...(revealed ? { code: token.secret } : {}) } };
}
