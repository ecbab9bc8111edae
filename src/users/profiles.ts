// Changing the caller's own profile (PATCH /api/me/profile).
import { validationFailed } from '../common/errors.ts';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import { checkViolation } from '../db/errors.ts';
import type { UserProfilesTable } from '../db/schema.ts';
import { presentProfile, type ProfileFields, type ProfileView } from './present.ts';
import { TOO_YOUNG, type ProfilePatch } from './profile-rules.ts';

const PROFILE_COLUMNS = ['bio', 'location', 'birthday', 'gender', 'marital_status'] as const;

type ProfileChanges = Partial<Pick<UserProfilesTable, (typeof PROFILE_COLUMNS)[number]>>;

/** Only the fields present in the patch: absent stays untouched, null clears. */
function changesOf(patch: ProfilePatch): ProfileChanges {
  const changes: ProfileChanges = {};
  if (patch.bio !== undefined) changes.bio = patch.bio;
  if (patch.location !== undefined) changes.location = patch.location;
  if (patch.birthday !== undefined) changes.birthday = patch.birthday;
  if (patch.gender !== undefined) changes.gender = patch.gender;
  if (patch.maritalStatus !== undefined) changes.marital_status = patch.maritalStatus;
  return changes;
}

/**
 * Applies a validated patch: 1 statement, or none for an empty patch, which
 * returns `current` (the profile authenticate() read with the session).
 */
export async function updateProfile(userId: number, patch: ProfilePatch, current: ProfileFields): Promise<ProfileView> {
  const changes = changesOf(patch);
  if (Object.keys(changes).length === 0) return presentProfile(current);
  try {
    const row = await getDb()
      .updateTable('user_profiles')
      .set({ ...changes, updated_at: now() })
      .where('user_id', '=', userId)
      .returning(PROFILE_COLUMNS)
      .executeTakeFirstOrThrow();
    return presentProfile(row);
  } catch (error) {
    // The rules judge age by today in UTC; the CHECK by current_date in the
    // database's time zone, which may still be yesterday: a birthday exactly
    // 13 years ago can pass one and not the other for a few hours.
    if (checkViolation(error) === 'user_profiles_birthday_range') throw validationFailed({ birthday: [TOO_YOUNG] });
    throw error;
  }
}
