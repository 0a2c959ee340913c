/**
 * What the signaling benchmark's processes say to each other over Node's IPC
 * channel: the orchestrator (signalingBench.ts), the server under test
 * (serverProcess.ts) and the load generators (loadProcess.ts). Each side parses
 * what it receives with these schemas; nothing crosses a process unchecked.
 */
import { z } from 'zod';
import { portableDeviceSchema } from '../benchIdentity';

export const serverKindSchema = z.enum(['parley', 'bare']);
export type ServerKind = z.infer<typeof serverKindSchema>;

// ─── orchestrator ⇄ server under test ───────────────────────────────────────

export const toServerSchema = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('measure') }), z.strictObject({ type: z.literal('cpu') })]);
export type ToServer = z.infer<typeof toServerSchema>;

export const fromServerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.string() }),
  /**
   * process.memoryUsage() after two forced full GCs, and what the event loop went
   * through since the previous report (before those GCs): its delay and the
   * garbage collector's pauses, to tell where relay latency comes from.
   */
  z.strictObject({
    type: z.literal('memory'),
    heapUsed: z.number(),
    rss: z.number(),
    loopDelayP99Ms: z.number(),
    loopDelayMaxMs: z.number(),
    gcPauses: z.number(),
    gcPauseTotalMs: z.number(),
    gcPauseMaxMs: z.number(),
    /** process.cpuUsage() of the server process, read before the forced GCs (µs since it started). */
    cpuUserUs: z.number(),
    cpuSystemUs: z.number(),
  }),
  /** process.cpuUsage() alone (no GC forced): for the CPU an idle server spends on pings. */
  z.strictObject({ type: z.literal('cpu'), cpuUserUs: z.number(), cpuSystemUs: z.number() }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type FromServer = z.infer<typeof fromServerSchema>;

// ─── orchestrator ⇄ load generators ─────────────────────────────────────────

/** One client socket. Pair members are in a call with `partner` and relay signals to it. */
export const clientSpecSchema = z.strictObject({
  /** Its user's and its own identity, with the private key it signs its handshakes with. */
  device: portableDeviceSchema,
  displayName: z.string(),
  /** 'caller' invites its partner's user; 'callee' accepts; 'idle' only stays connected. */
  role: z.enum(['idle', 'caller', 'callee']),
  /** The other pair member (its deviceId and userId). */
  partner: z.strictObject({ userId: z.string(), deviceId: z.string() }).nullable(),
  /** The userIds its user lists as contacts (sent in the handshake). */
  contacts: z.array(z.string()),
});
export type ClientSpec = z.infer<typeof clientSpecSchema>;

/** Which of a load process's prepared lists to connect. */
export const clientGroupSchema = z.enum(['pairMembers', 'idle']);
export type ClientGroup = z.infer<typeof clientGroupSchema>;

/** A stretch of time in which one server's pairs send; windows of the two servers alternate. */
export const relayWindowSchema = z.strictObject({
  kind: serverKindSchema,
  /** process.hrtime.bigint() values (ns, as decimal strings): CLOCK_MONOTONIC is one clock for every process. */
  startNs: z.string(),
  endNs: z.string(),
  /** False for warm-up windows, whose signals are sent but not counted. */
  measured: z.boolean(),
});
export type RelayWindow = z.infer<typeof relayWindowSchema>;

export const toLoadSchema = z.discriminatedUnion('type', [
  /** The clients this process drives, with their keys: imported before anything is timed. */
  z.strictObject({ type: z.literal('prepare'), pairMembers: z.array(clientSpecSchema), idle: z.array(clientSpecSchema) }),
  z.strictObject({
    type: z.literal('connect'),
    url: z.string(),
    kind: serverKindSchema,
    group: clientGroupSchema,
    /** Handshakes in flight at once from this process. */
    concurrency: z.number().int().positive(),
    /** Source address of this process's sockets (127.0.0.x): each address has its own ephemeral ports. */
    localAddress: z.string().optional(),
  }),
  /** Parley: callers invite, callees accept. Bare: nothing to do. `socketIds`: every pair member's socket id. */
  z.strictObject({ type: z.literal('call'), kind: serverKindSchema, socketIds: z.record(z.string(), z.string()) }),
  z.strictObject({
    type: z.literal('relay'),
    /** Signals per second this process sends during a window, spread over that server's senders here. */
    rate: z.record(serverKindSchema, z.number().nonnegative()),
    windows: z.array(relayWindowSchema),
  }),
  /** How many measured signals arrived so far; with `final`, their latencies too. */
  z.strictObject({ type: z.literal('collect'), final: z.boolean() }),
  /**
   * The server went away (a restart): every socket of `kind` connects again to `url`
   * (a fresh proof for its new session), pair members rejoin their call with their
   * last rejoin token; answered with 'stormed' once all are back or the deadline passed.
   */
  z.strictObject({ type: z.literal('storm'), url: z.string(), kind: serverKindSchema, concurrency: z.number().int().positive(), deadlineMs: z.number().int().positive() }),
  z.strictObject({ type: z.literal('close') }),
]);
export type ToLoad = z.infer<typeof toLoadSchema>;

/** What one process sent to one server, reported as soon as the last window closed. */
export const relayedSchema = z.strictObject({
  sent: z.number(),
  /** Sent inside measured windows: the signals whose latency counts. */
  measuredSent: z.number(),
  /** Acks that were not { ok: true } (rate limits, refusals). */
  refused: z.number(),
  firstRefusal: z.string().nullable(),
});
export type Relayed = z.infer<typeof relayedSchema>;

/** What one process received from one server. */
export const collectedSchema = z.strictObject({
  received: z.number(),
  /** One-way latency of each measured signal, in microseconds (only in the final collection). */
  latenciesUs: z.array(z.number()),
});

export const fromLoadSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('prepared'), clients: z.number() }),
  z.strictObject({
    type: z.literal('connected'),
    kind: serverKindSchema,
    connected: z.number(),
    failed: z.number(),
    firstError: z.string().nullable(),
    /** deviceId → socket id, for pair members only. */
    socketIds: z.record(z.string(), z.string()),
  }),
  z.strictObject({
    type: z.literal('inCall'),
    kind: serverKindSchema,
    calls: z.number(),
    failed: z.number(),
    firstError: z.string().nullable(),
  }),
  z.strictObject({ type: z.literal('relayed'), parley: relayedSchema, bare: relayedSchema }),
  z.strictObject({ type: z.literal('collected'), parley: collectedSchema, bare: collectedSchema }),
  z.strictObject({
    type: z.literal('stormed'),
    kind: serverKindSchema,
    /** Sockets that reconnected and got their welcome (presence roster) back. */
    back: z.number(),
    /** Pair members whose `call:rejoin` was acked ok. */
    rejoined: z.number(),
    /** Pair members that had a call to rejoin. */
    toRejoin: z.number(),
    failed: z.number(),
    firstError: z.string().nullable(),
    /** process.hrtime.bigint() (ns, decimal) when the last socket of this process was back (and rejoined). */
    lastDoneNs: z.string(),
  }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type FromLoad = z.infer<typeof fromLoadSchema>;
