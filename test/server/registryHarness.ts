/**
 * A call registry with no sockets and a clock that moves only when a test says:
 * what each device was sent, and the parties and helpers the registry tests share.
 */
import { expect } from 'vitest';
import type { Party } from '../../signaling-server/callRecord';
import { CallRegistry, type CallRegistryOptions, type CallSink, type Clock, type InviteTarget } from '../../signaling-server/callRegistry';
import type { InviteLimitOptions } from '../../signaling-server/options';
import type { ServerToClientEvents } from '../../signaling-server/protocol';

export const TEST_KEY = Buffer.alloc(32, 7);

/** Timers that run only when the test advances time. */
export class ManualClock implements Clock {
  private t = 1_000_000;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.nextId += 1;
    this.timers.set(this.nextId, { at: this.t + ms, fn });
    return this.nextId;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = target;
  }
}

export type Sent = { deviceId: string; event: keyof ServerToClientEvents; payload: unknown };

export type Setup = ReturnType<typeof setup>;

/** Invites are not limited unless a test asks (`inviteLimits`). */
export const NO_INVITE_LIMITS: InviteLimitOptions = { perPair: { burst: 1_000_000, intervalMs: 0 }, perCaller: { burst: 1_000_000, intervalMs: 0 } };

export function setup(
  overrides: { maxParticipants?: number; sink?: Partial<CallSink> } & Partial<
    Pick<CallRegistryOptions, 'inviteLimits' | 'restorePeriodMs' | 'maxTombstones' | 'membershipKey' | 'sfu'>
  > = {},
) {
  const clock = new ManualClock();
  const sent: Sent[] = [];
  const membershipChanges: string[] = [];
  const errors: unknown[] = [];
  let n = 0;
  const registry = new CallRegistry({
    maxParticipants: overrides.maxParticipants ?? 4,
    ringTimeoutMs: 30_000,
    rejoinGraceMs: 20_000,
    membershipKey: overrides.membershipKey ?? TEST_KEY,
    inviteLimits: overrides.inviteLimits ?? NO_INVITE_LIMITS,
    restorePeriodMs: overrides.restorePeriodMs,
    maxTombstones: overrides.maxTombstones,
    sfu: overrides.sfu,
    clock,
    newCallId: () => `call-id-${++n}`.padEnd(12, '0'),
    onError: (err) => errors.push(err),
    sink: {
      send: (deviceId, event, ...args) => sent.push({ deviceId, event, payload: args[0] }),
      membershipChanged: (userId) => membershipChanges.push(userId),
      ...overrides.sink,
    },
  });
  const to = (deviceId: string) => sent.filter((s) => s.deviceId === deviceId);
  const events = (deviceId: string) => to(deviceId).map((s) => s.event);
  return { clock, registry, sent, to, events, membershipChanges, errors };
}

export const party = (name: string, device = 'a'): Party => ({ userId: `user-${name}`, deviceId: `dev-${name}-${device}`, displayName: name });
/** The callee as presence would describe them: by default online on `p`'s device, available, and a mutual contact. */
export const target = (
  p: Party,
  devices = [p.deviceId],
  chosenStatus: InviteTarget['chosenStatus'] = 'available',
  mutual = true,
): InviteTarget => ({
  userId: p.userId,
  displayName: p.displayName,
  chosenStatus,
  devices,
  blocksCaller: false,
  mutual,
});
export const alice = party('alice');
export const bob = party('bob');
export const carol = party('carol');

export function call(t: Setup, from = alice, callee = bob): string {
  const result = t.registry.invite(from, target(callee), { to: callee.userId, media: 'audio' });
  if (!result.ok) throw new Error(result.error.message);
  return result.call.callId;
}

export function connected(t: Setup): string {
  const callId = call(t);
  expect(t.registry.accept(bob, { callId, audio: true, video: false })).toMatchObject({ ok: true });
  return callId;
}
