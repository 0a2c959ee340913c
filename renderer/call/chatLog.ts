/**
 * In-call chat: the wire message on the 'chat' data channel, and the conversation
 * as a pure value (messages, unread count) with the functions that change it.
 *
 * In a group call the sender sends each message once to every member, over each
 * peer connection (a full mesh). A message can still reach a device twice (a
 * connection replaced after a failure, a peer that repeats itself), so receipt
 * dedupes by message id: the id is random, 128 bits, chosen by the sender.
 *
 * The sender's identity is never taken from the message: it is the device at the
 * other end of the channel it came through.
 */
import { z } from 'zod';
import { log } from '../log';

export const MAX_CHAT_CHARS = 4000;
/** The conversation keeps this many messages; older ones drop off. */
export const MAX_CHAT_MESSAGES = 1000;

export const chatWireSchema = z.strictObject({
  type: z.literal('chat'),
  id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  text: z.string().min(1).max(MAX_CHAT_CHARS),
  /** The sender's clock (ms since epoch), kept for reference; ordering uses arrival. */
  sentAt: z.number().int().nonnegative(),
});
export type ChatWire = z.infer<typeof chatWireSchema>;

/** A text message from the channel, parsed, or null (dropped). */
export function parseChatWire(data: unknown): ChatWire | null {
  if (typeof data !== 'string' || data.length > MAX_CHAT_CHARS * 8) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch (error) {
    // A peer's bug or an older version, not ours to fix: the message is dropped.
    log.child('call.chat').debug(`dropped a chat-channel message that is not JSON (${data.length} characters)`, error);
    return null;
  }
  const parsed = chatWireSchema.safeParse(raw);
  if (!parsed.success) return null;
  const text = cleanChatText(parsed.data.text);
  return text ? { ...parsed.data, text } : null;
}

/**
 * Trims, and drops control and bidi-override characters (a message must not flip
 * the direction of what follows it on screen); newlines and tabs stay.
 */
export function cleanChatText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim();
}

export interface ChatAuthor {
  userId: string;
  deviceId: string;
  displayName: string;
}

export interface ChatMessage {
  id: string;
  /** null: I wrote it. */
  from: ChatAuthor | null;
  text: string;
  /** When it was sent (mine) or arrived (theirs), on this device's clock. */
  at: number;
}

export interface ChatLog {
  messages: readonly ChatMessage[];
  /** Messages from others that arrived while the chat was closed. */
  unread: number;
  open: boolean;
}

export const EMPTY_CHAT: ChatLog = { messages: [], unread: 0, open: false };

/** Adds a message unless one with its id is already there (same log back: nothing changed). */
export function addChatMessage(log: ChatLog, message: ChatMessage): ChatLog {
  if (log.messages.some((m) => m.id === message.id)) return log;
  const messages = [...log.messages, message].slice(-MAX_CHAT_MESSAGES);
  const unread = message.from !== null && !log.open ? log.unread + 1 : log.unread;
  return { ...log, messages, unread };
}

/** Opening the chat reads everything in it. */
export function setChatOpen(log: ChatLog, open: boolean): ChatLog {
  if (log.open === open && (!open || log.unread === 0)) return log;
  return { ...log, open, unread: open ? 0 : log.unread };
}
