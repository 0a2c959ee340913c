/**
 * The one place that decides whether an IPC message from a renderer may be
 * processed (Electron security checklist §17; VS Code's ipc.electron-main checks).
 *
 * A message is accepted only if:
 * 1. it comes from the top-level frame of the webContents (not an iframe, which
 *    could be another origin), and that webContents is ours;
 * 2. that frame is showing app://parley (not a page the window was somehow
 *    navigated to, not a look-alike origin);
 * 3. the channel is one the contract knows;
 * 4. it carries at most one argument, and that argument parses with the channel's
 *    schema from preload/contract.ts.
 */
import { requestSchemas } from '../../preload/contract';
import type { z } from 'zod';
import { isAppUrl } from '../appUrl';

export type RequestChannel = keyof typeof requestSchemas;
export type RequestPayload<C extends RequestChannel> = z.output<(typeof requestSchemas)[C]>;

export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

export interface IpcEventLike {
  /** Null when the frame navigated away or was destroyed before we looked. */
  readonly senderFrame: SenderFrameLike | null;
  readonly sender: { readonly mainFrame: SenderFrameLike };
}

export type Verdict<T = undefined> = { ok: true; value: T } | { ok: false; reason: string };

export function validateSender(event: IpcEventLike, isTrustedSender: (sender: unknown) => boolean): Verdict {
  const frame = event.senderFrame;
  if (frame === null) return { ok: false, reason: 'the sending frame is gone' };
  if (!isTrustedSender(event.sender)) return { ok: false, reason: 'the sender is not a Parley window' };
  if (frame !== event.sender.mainFrame || frame.parent !== null) {
    return { ok: false, reason: 'the sender is a subframe, not the main frame' };
  }
  if (!isAppUrl(frame.url)) return { ok: false, reason: `the sender's page is not app://parley (${frame.url.slice(0, 200)})` };
  return { ok: true, value: undefined };
}

export function isKnownChannel(channel: string): channel is RequestChannel {
  return Object.hasOwn(requestSchemas, channel);
}

/** Checks the channel and parses the arguments; the parsed payload is what handlers get. */
export function validatePayload<C extends RequestChannel>(channel: C, args: readonly unknown[]): Verdict<RequestPayload<C>>;
export function validatePayload(channel: string, args: readonly unknown[]): Verdict<unknown>;
export function validatePayload(channel: string, args: readonly unknown[]): Verdict<unknown> {
  if (!isKnownChannel(channel)) return { ok: false, reason: `unknown channel ${channel.slice(0, 100)}` };
  if (args.length > 1) return { ok: false, reason: `expected at most one argument, got ${args.length}` };
  const schema: z.ZodType = requestSchemas[channel];
  const parsed = schema.safeParse(args[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, reason: `invalid payload${where}: ${issue?.message ?? 'does not match the schema'}` };
  }
  return { ok: true, value: parsed.data };
}

/** Sender, channel and payload together: the verdict every IPC handler goes through. */
export function validateIpcMessage(
  event: IpcEventLike,
  channel: string,
  args: readonly unknown[],
  isTrustedSender: (sender: unknown) => boolean,
): Verdict<unknown> {
  const sender = validateSender(event, isTrustedSender);
  if (!sender.ok) return sender;
  return validatePayload(channel, args);
}
