// The e-mail rule (the README's field rules): an address as mail systems
// deliver it, RFC 5321/5322's addr-spec without the forms nobody hands out
// (quoted local parts, comments, address literals). Internationalised domains
// come in their ASCII form (IDNA A-labels, `xn--`), as mail carries them.
//
// Two addresses are one account when they differ only in case, the local part
// included: RFC 5321 lets a host tell `Bob@` from `bob@`, but the mail
// providers people use do not, and telling them apart here would let a second
// account be made for someone's mailbox. So the address is kept lower-case.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';

export const EMAIL_MAX_LENGTH = 254;

/** RFC 5322's atext: what a dot-atom local part is made of. */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
/** A DNS label: letters, digits and inner hyphens, at most 63. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** A top-level label starts with a letter (no all-numeric TLD exists; `1.2.3.4` is no domain). */
const TOP_LABEL = '[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/**
 * A dot-atom local part of at most 64 characters, `@`, then a domain of at
 * least two labels (a dotless host receives no mail from the internet).
 * Written as one pattern so that the OpenAPI document states it exactly.
 */
export const EMAIL_PATTERN = new RegExp(`^(?=[^@]{1,64}@)${ATEXT}+(?:\\.${ATEXT}+)*@(?:${LABEL}\\.)+${TOP_LABEL}$`);

export const emailSchema = v.pipe(
  v.string('must be a string'),
  v.maxLength(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`),
  v.regex(EMAIL_PATTERN, 'must be a valid e-mail address'),
  v.transform((email) => email.toLowerCase()),
);

/** `{email}`: the body of a confirmation resend or a reset request. */
export const emailRequestSchema = closedObject({ email: emailSchema });
