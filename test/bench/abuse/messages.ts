/**
 * What the abuse benchmark's processes say to each other over Node's IPC channel:
 * the orchestrator (abuseBench.ts, which also runs the honest call), the server
 * under attack (abuseServer.ts) and the attacker (attacker.ts). Each side parses
 * what it receives with these schemas.
 */
import { z } from 'zod';

// ─── orchestrator ⇄ server ──────────────────────────────────────────────────

export const toServerSchema = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('measure') })]);
export type ToServer = z.infer<typeof toServerSchema>;

/** What the server went through since the previous 'measure'. */
export const serverSampleSchema = z.strictObject({
  logLines: z.number(),
  logBytes: z.number(),
  loopDelayP99Ms: z.number(),
  loopDelayMaxMs: z.number(),
  /** CPU time (user + system) the server process used. */
  cpuMs: z.number(),
  wallMs: z.number(),
});
export type ServerSample = z.infer<typeof serverSampleSchema>;

export const fromServerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.string(), password: z.string() }),
  z.strictObject({ type: z.literal('sample'), sample: serverSampleSchema }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type FromServer = z.infer<typeof fromServerSchema>;

// ─── orchestrator ⇄ attacker ────────────────────────────────────────────────

/**
 * The simulated addresses (X-Forwarded-For from 127.0.0.1; documentation ranges,
 * RFC 5737). Each attacked phase floods from addresses of its own, so that one
 * phase's lockout does not decide the next phase's attack.
 */
export const ATTACK_ADDRESSES = {
  handshakeFlood: { handshakes: '203.0.113.7', invites: '203.0.113.8' },
  inviteFlood: { handshakes: '203.0.113.9', invites: '203.0.113.10' },
  bothFloods: { handshakes: '203.0.113.11', invites: '203.0.113.12' },
} as const;
export const VICTIM_ADDRESS = '198.51.100.50';
export const HONEST_ADDRESSES = ['198.51.100.10', '198.51.100.11'] as const;

export const attackSchema = z.enum(['handshakes', 'invites']);
export type Attack = z.infer<typeof attackSchema>;

export const toAttackerSchema = z.discriminatedUnion('type', [
  /** Connect the invite flood's victim. */
  z.strictObject({ type: z.literal('prepare'), url: z.string(), password: z.string() }),
  z.strictObject({
    type: z.literal('start'),
    attacks: z.array(attackSchema),
    addresses: z.strictObject({ handshakes: z.string(), invites: z.string() }),
  }),
  /** Stop every attack and report what it did since 'start'. */
  z.strictObject({ type: z.literal('stop') }),
]);
export type ToAttacker = z.infer<typeof toAttackerSchema>;

export const attackReportSchema = z.strictObject({
  /** Handshake flood: CONNECT packets that must fail (a wrong password, or a forged identity proof). */
  connectsSent: z.number(),
  /** ...answered with a refusal (code → count). */
  connectAnswers: z.record(z.string(), z.number()),
  /** engine.io connections opened for them, and those turned away before the WebSocket opened. */
  connectionsOpened: z.number(),
  connectionsDropped: z.number(),
  /** Invite flood: invites sent, and their answers (ok, or the refusal code → count). */
  invitesSent: z.number(),
  inviteAnswers: z.record(z.string(), z.number()),
  /** Invite flood sockets the server kicked, and reconnections it refused. */
  kicked: z.number(),
  reconnectsRefused: z.number(),
  /** Rings that reached the victim. */
  victimRings: z.number(),
});
export type AttackReport = z.infer<typeof attackReportSchema>;

export const fromAttackerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('prepared') }),
  z.strictObject({ type: z.literal('started') }),
  z.strictObject({ type: z.literal('report'), report: attackReportSchema }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type FromAttacker = z.infer<typeof fromAttackerSchema>;
