// The choices of the profile's closed fields, apart from their rules so that
// the web pages (src/web) offer exactly these without bundling valibot.
import type { Gender, MaritalStatus } from '../db/schema.ts';

export const GENDERS = ['female', 'male', 'non_binary', 'other', 'prefer_not_to_say'] as const satisfies readonly Gender[];
export const MARITAL_STATUSES = [
  'single',
  'married',
  'divorced',
  'widowed',
  'separated',
  'domestic_partnership',
  'prefer_not_to_say',
] as const satisfies readonly MaritalStatus[];
