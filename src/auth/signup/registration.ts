// Registration. An account registered through the JSON API is inactive until
// its 10-minute confirmation code comes back (confirmation.ts).
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { parseAsync } from '../../common/validate.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database, UserRow } from '../../db/schema.ts';
import { noteAccount } from '../../log/log.ts';
import { consume } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import type { Client } from '../base/requester.ts';
import { addUser, mapDuplicates, withNewUser } from '../accounts/users.ts';
import { deliverSecret, deliveryRoute } from '../codes/delivery.ts';
import { newToken, TOKEN_COLUMNS, tokenValues, type NewToken } from '../codes/tokens.ts';
import { hashPassword } from '../passwords/hash.ts';
import { accountContext, passwordRules } from '../passwords/policy.ts';
import { registrationFields } from './bodies.ts';

export interface Registration {
  username: string;
  email: string;
  password: string;
}

/** The password policy of a registration body (registrationFields), with the username and e-mail it must not contain. */
export const registrationPolicy = passwordRules<Registration>('password', accountContext);

export const registrationSchema = v.pipeAsync(registrationFields, registrationPolicy);

/** The same rules for a password whose breached-password check its caller has run (from-email.ts). */
const recheckSchema = v.pipeAsync(registrationFields, passwordRules<Registration>('password', accountContext, { breachCheck: false }));

/** The body as a Registration, or 400 listing every broken rule of every field. */
const parseRegistration = (body: unknown, breachChecked = false): Promise<Registration> =>
  parseAsync(breachChecked ? recheckSchema : registrationSchema, body);

interface Created {
  user: UserRow;
  /** The confirmation code, for an account that must confirm its address. */
  token?: NewToken;
}

/**
 * User, empty profile and (unless confirmed) the code, in 1 statement on `db`.
 * An unconfirmed registration replaces an account that never confirmed the
 * address (its row, username and code go): whoever reads the mailbox decides
 * which registration of the address lives (src/auth/README.md, "The proven mailbox").
 */
async function insertAccount(
  input: Registration,
  passwordHash: string,
  confirmed: boolean,
  db: Kysely<Database> = getDb(),
): Promise<Created> {
  if (confirmed) return { user: await addUser({ ...input, passwordHash, confirmedAt: now() }, db) };
  const token = newToken('confirm_email');
  const user = await mapDuplicates(() =>
    withNewUser({ ...input, passwordHash }, db, { replacingUnconfirmed: true })
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
 * Register a user (the classic operation, part of the seed's required public
 * API: see src/auth/accounts/users.ts): every rule checked (400), then 1
 * statement; a taken username, or the e-mail of a confirmed account, is 409
 * (an unconfirmed one is replaced: insertAccount). Without `confirmed` the
 * account needs its confirmation code, returned here for the caller to deliver.
 * `breachChecked`: the caller has run the breached-password check on this
 * password in the same request; it is not asked again.
 */
export async function registerUser(input: Registration, options: { confirmed?: boolean; breachChecked?: boolean } = {}): Promise<Created> {
  const account = await parseRegistration(input, options.breachChecked);
  return insertAccount(account, await hashPassword(account.password), options.confirmed === true);
}

export interface SignUp {
  user: UserRow;
  confirmation?: { expiresAt: Date; code?: string };
}

/**
 * A registration request from `client`, its body parsed with
 * registrationFields and registrationPolicy (every rule checked: 400, counting
 * nothing): the per-address limit (1 statement), then the account (1
 * statement) and the delivery of its code, which succeed or fail together.
 * With a mail provider the account is inserted in a transaction that commits
 * only once the provider has accepted the message (BEGIN, INSERT, COMMIT: 4
 * statements in all); a refused e-mail rolls it back (503), and so does a
 * database lost in between, so no account is left behind and the username and
 * address are free for the retry. Without a provider nothing can fail after
 * the INSERT (2 statements).
 */
export async function signUp(input: Registration, client: Client, options: { confirmed?: boolean } = {}): Promise<SignUp> {
  const confirmed = options.confirmed === true;
  // Before anything is written: an account whose code cannot reach anyone could never be confirmed.
  const route = confirmed ? undefined : deliveryRoute();
  await consume([checks.registerIp(client.ip)]);
  // Hashed before any transaction opens: scrypt takes a while.
  const passwordHash = await hashPassword(input.password);
  const register = async (db: Kysely<Database>): Promise<SignUp> => {
    const { user, token } = await insertAccount(input, passwordHash, confirmed, db);
    noteAccount(user.id);
    if (token === undefined) return { user };
    const { revealed } = await deliverSecret({ to: user, token, appUrl: client.appUrl });
    return { user, confirmation: { expiresAt: token.expiresAt, ...(revealed ? { code: token.secret } : {}) } };
  };
  return route === 'mail' ? getDb().transaction().execute(register) : register(getDb());
}
