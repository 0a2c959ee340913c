/**
 * The attacker, in its own process (driven over IPC, see messages.ts), from two
 * network addresses per phase simulated with X-Forwarded-For from 127.0.0.1 (a
 * header value only; every packet goes to the loopback server):
 *
 * - handshakes: engine.io connections opened as fast as the
 *   server lets them, each keeping CONNECTS_PER_CONNECTION wrong-password CONNECTs
 *   in flight for as long as the server keeps it open (at most 2 s) — the attack
 *   that once made ~17,000 guesses a second on one socket;
 * - invites: ten callers who sign in and ring one victim as fast as the acks
 *   come back (ring, hang up, ring again), reconnecting when kicked.
 */
import { io, Manager, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../../signaling-server/protocol';
import {
  toAttackerSchema,
  VICTIM_ADDRESS,
  type Attack,
  type AttackReport,
  type FromAttacker,
} from './messages';

const HANDSHAKE_LOOPS = 4;
const CONNECTS_PER_CONNECTION = 20;
const CALLERS = 10;

const send = (message: FromAttacker): void => {
  process.send?.(message);
};
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let report: AttackReport = emptyReport();
function emptyReport(): AttackReport {
  return {
    connectsSent: 0,
    connectAnswers: {},
    connectionsOpened: 0,
    connectionsDropped: 0,
    invitesSent: 0,
    inviteAnswers: {},
    kicked: 0,
    reconnectsRefused: 0,
    victimRings: 0,
  };
}
const bump = (table: Record<string, number>, key: string): void => {
  table[key] = (table[key] ?? 0) + 1;
};

let url = '';
let password = '';
let addresses = { handshakes: '', invites: '' };
const running = new Set<Attack>();
const loops: Promise<void>[] = [];
let counter = 0;
const id = (label: string): string => `${label}-${process.pid}-${++counter}`;

const auth = (userId: string, deviceId: string, pass: string) => ({
  protocolVersion: PROTOCOL_VERSION,
  userId,
  deviceId,
  displayName: userId.slice(0, 20),
  password: pass,
});

// ─── handshake flood ────────────────────────────────────────────────────────

async function handshakeLoop(): Promise<void> {
  while (running.has('handshakes')) {
    const manager = new Manager(url, {
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
      extraHeaders: { 'x-forwarded-for': addresses.handshakes },
    });
    const opened = await new Promise<boolean>((resolve) => manager.open((err) => resolve(err === undefined)));
    if (!opened) {
      report.connectionsDropped += 1;
      manager._close();
      continue;
    }
    report.connectionsOpened += 1;
    const engine = (manager as unknown as { engine: RawEngine }).engine;
    const closed = new Promise<void>((resolve) => {
      engine.on('close', () => resolve());
      setTimeout(resolve, 2_000);
    });
    let open = true;
    const guess = (): void => {
      engine.send(`0${JSON.stringify(auth(id('guess'), id('guess-dev'), `wrong ${counter}`))}`);
      report.connectsSent += 1;
    };
    engine.on('message', (data) => {
      const text = String(data);
      if (!text.startsWith('4')) return;
      try {
        const parsed = JSON.parse(text.slice(1)) as { data?: { code?: string } };
        bump(report.connectAnswers, parsed.data?.code ?? 'no code');
      } catch {
        bump(report.connectAnswers, 'unreadable');
      }
      // Every answer is another chance: guess again on the same connection while it stays open.
      if (open && running.has('handshakes')) guess();
    });
    for (let i = 0; i < CONNECTS_PER_CONNECTION; i++) guess();
    await closed;
    open = false;
    manager._close();
  }
}
interface RawEngine {
  on(event: 'message' | 'close', listener: (data?: unknown) => void): void;
  send(packet: string): void;
}

// ─── invite flood ───────────────────────────────────────────────────────────

let victimUserId = '';
const victims: Socket[] = [];
const callers: { userId: string; socket: Socket | null }[] = [];

function connect(userId: string, address: string): Promise<Socket | null> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: auth(userId, id(`${userId}-dev`), password),
    extraHeaders: { 'x-forwarded-for': address },
  });
  return new Promise((resolve) => {
    socket.once('session:welcome', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.close();
      resolve(null);
    });
  });
}

type Ack = { ok: true; call?: { callId: string } } | { ok: false; error: { code: string } };

async function ask(socket: Socket, event: string, payload: unknown): Promise<Ack | null> {
  try {
    return (await socket.timeout(5_000).emitWithAck(event, payload)) as Ack;
  } catch {
    return null;
  }
}

async function inviteLoop(caller: { userId: string; socket: Socket | null }): Promise<void> {
  while (running.has('invites')) {
    if (caller.socket === null || !caller.socket.connected) {
      if (caller.socket !== null) report.kicked += 1;
      caller.socket?.close();
      caller.socket = await connect(caller.userId, addresses.invites);
      if (caller.socket === null) {
        report.reconnectsRefused += 1;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
    }
    report.invitesSent += 1;
    const ack = await ask(caller.socket, 'call:invite', { to: victimUserId, media: 'video' });
    bump(report.inviteAnswers, ack === null ? 'no answer' : ack.ok ? 'ok' : ack.error.code);
    if (ack?.ok && ack.call) await ask(caller.socket, 'call:leave', { callId: ack.call.callId });
  }
}

// ─── IPC ────────────────────────────────────────────────────────────────────

async function prepare(): Promise<void> {
  victimUserId = id('victim');
  const victim = await connect(victimUserId, VICTIM_ADDRESS);
  if (victim === null) throw new Error('the invite flood victim could not connect');
  victim.on('call:incoming', () => (report.victimRings += 1));
  victims.push(victim);
  send({ type: 'prepared' });
}

function start(attacks: Attack[], from: typeof addresses): void {
  report = emptyReport();
  addresses = from;
  // Fresh callers every phase, signing in from this phase's address.
  callers.splice(0, callers.length, ...Array.from({ length: CALLERS }, () => ({ userId: id('ringer'), socket: null })));
  for (const attack of attacks) running.add(attack);
  if (attacks.includes('handshakes')) for (let i = 0; i < HANDSHAKE_LOOPS; i++) loops.push(handshakeLoop());
  if (attacks.includes('invites')) for (const caller of callers) loops.push(inviteLoop(caller));
  send({ type: 'started' });
}

async function stop(): Promise<void> {
  running.clear();
  await Promise.all(loops.splice(0));
  for (const caller of callers) caller.socket?.close();
  send({ type: 'report', report });
}

process.on('message', (raw: unknown) => {
  const parsed = toAttackerSchema.safeParse(raw);
  if (!parsed.success) return send({ type: 'failed', message: `attacker: unexpected IPC message ${JSON.stringify(raw)}` });
  const message = parsed.data;
  const done = (error: unknown): void => send({ type: 'failed', message: `attacker (${message.type}): ${describe(error)}` });
  if (message.type === 'prepare') {
    url = message.url;
    password = message.password;
    prepare().catch(done);
  } else if (message.type === 'start') {
    start(message.attacks, message.addresses);
  } else {
    stop().catch(done);
  }
});
