/**
 * What the contact book keeps, as zod schemas: every record read back from
 * IndexedDB is parsed with these before it is trusted (storage can be old or
 * damaged), and the types below are derived from them.
 */
import { z } from 'zod';
import { publicKeySchema } from '../../signaling-server/identity';
import { LIMITS, receivedNameSchema, userIdSchema } from '../../signaling-server/protocol';

/** An invite or link secret: 16 random bytes in base64url (22 characters), at most LIMITS.inviteSecretMax. */
export const inviteSecretSchema = z
  .string()
  .min(16)
  .max(LIMITS.inviteSecretMax)
  .regex(/^[A-Za-z0-9_-]+$/, 'base64url text');

/** Someone I added: their key is pinned at first contact (idOfKey(userKey) === userId was checked). */
export const storedContactSchema = z.strictObject({
  userId: userIdSchema,
  displayName: receivedNameSchema,
  userKey: publicKeySchema,
  addedAt: z.number().int().nonnegative(),
  /** The user compared safety numbers and marked this contact as verified. */
  verified: z.boolean(),
});
export type StoredContact = z.infer<typeof storedContactSchema>;

/** One secret of my invite link or code: one use, for INVITE_LIFETIME_MS. */
export const inviteSchema = z.strictObject({
  secret: inviteSecretSchema,
  createdAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
});
export type Invite = z.infer<typeof inviteSchema>;

/** A contact request I sent that is not answered yet: sent again after every welcome. */
export const outgoingRequestSchema = z.strictObject({
  userId: userIdSchema,
  secret: inviteSecretSchema.nullable(),
  sentAt: z.number().int().nonnegative(),
});
export type OutgoingRequest = z.infer<typeof outgoingRequestSchema>;

export const keyedUserSchema = z.strictObject({ userId: userIdSchema, displayName: receivedNameSchema, userKey: publicKeySchema });
export type KeyedPerson = z.infer<typeof keyedUserSchema>;

/** Someone asked to become my contact, without a secret of mine: the user decides. */
export const incomingRequestSchema = z.strictObject({
  from: keyedUserSchema,
  receivedAt: z.number().int().nonnegative(),
});
export type IncomingRequest = z.infer<typeof incomingRequestSchema>;

/**
 * A contact presented a key other than the one pinned: calls to and from them are
 * blocked until the user accepts the new key (re-pin, verified = false).
 */
export const keyChangeSchema = z.strictObject({
  userId: userIdSchema,
  displayName: receivedNameSchema,
  newKey: publicKeySchema,
  seenAt: z.number().int().nonnegative(),
});
export type KeyChange = z.infer<typeof keyChangeSchema>;

/** Invite secrets live a week, then the link or code no longer adds anyone by itself. */
export const INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Unanswered and unused things are bounded, so a flood of requests cannot fill the disk. */
export const BOOK_LIMITS = { invites: 50, incoming: 100, outgoing: 100 } as const;
