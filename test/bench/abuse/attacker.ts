/**
 * The attacker, in its own process (driven over IPC, see messages.ts), from two
 * network addresses per phase simulated with X-Forwarded-For from 127.0.0.1 (a
 * header value only; every packet goes to the loopback server):
 *
 * - handshakes: engine.io connections opened as fast as the
 *   server lets them, each keeping CONNECTS_PER_CONNECTION failing CONNECTs in
 *   flight for as long as the server keeps it open (at most 2 s) — the attack
 *   that once made ~17,000 guesses a second on one socket. Protocol 3 CONNECTs
 *   carry a real device credential; they take turns between a password guess (a
 *   valid proof for this connection, a wrong password) and a forged proof (random
 *   bytes where the device key's signature belongs, which costs the server a
 *   signature check), so both the password and the identity check are attacked;
 * - invites: ten callers who sign in with keys of their own and ring one victim
 *   (not a contact of theirs; it lets strangers' calls through with 'ask', the
 *   app's default) as fast as the acks come back (ring, hang up, ring again),
 *   reconnecting when kicked.
 * Every key is made before the attack starts (../benchIdentity.ts).
 */
import { randomBytes } from 'node:crypto';
import { io, Manager, type Socket } from 'socket.io-client';
import { handshakeFor, importDevice, makeBenchDevice, makeBenchUser, signIn, type SigningDevice } from '../benchIdentity';
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
/** Identities the handshake flood's CONNECTs take turns with. */
const GUESSING_DEVICES = 32;

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

/** A new user with one device, ready to sign in. */
const newDevice = (): SigningDevice => importDevice(makeBenchDevice(makeBenchUser()));
let guessingDevices: SigningDevice[] = [];

/** A CONNECT that must fail: every other one a wrong password with a valid proof, the rest a forged proof. */
function failingHandshake(host: string, sessionId: string): Record<string, unknown> {
  counter += 1;
  const device = guessingDevices[counter % guessingDevices.length] as SigningDevice;
  const handshake = handshakeFor(device, host, sessionId, {
    displayName: `guess ${counter}`.slice(0, 20),
    password: `wrong ${counter}`,
    contacts: [],
    strangerCalls: 'ask',
  });
  return counter % 2 === 0 ? handshake : { ...handshake, proof: randomBytes(64).toString('base64url') };
}

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
    const host = new URL(url).host;
    const closed = new Promise<void>((resolve) => {
      engine.on('close', () => resolve());
      setTimeout(resolve, 2_000);
    });
    let open = true;
    const guess = (): void => {
      engine.send(`0${JSON.stringify(failingHandshake(host, engine.id))}`);
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
  /** The Engine.IO session id the server chose: what a handshake proof signs. */
  readonly id: string;
  on(event: 'message' | 'close', listener: (data?: unknown) => void): void;
  send(packet: string): void;
}

// ─── invite flood ───────────────────────────────────────────────────────────

let victimUserId = '';
const victims: Socket[] = [];
interface Caller {
  device: SigningDevice;
  socket: Socket | null;
}
const callers: Caller[] = [];

function connect(device: SigningDevice, name: string, address: string): Promise<Socket | null> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    extraHeaders: { 'x-forwarded-for': address },
  });
  signIn(socket, url, device, { displayName: name, password, contacts: [], strangerCalls: 'ask' });
  socket.connect();
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

async function inviteLoop(caller: Caller): Promise<void> {
  while (running.has('invites')) {
    if (caller.socket === null || !caller.socket.connected) {
      if (caller.socket !== null) report.kicked += 1;
      caller.socket?.close();
      caller.socket = await connect(caller.device, 'ringer', addresses.invites);
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
  guessingDevices = Array.from({ length: GUESSING_DEVICES }, newDevice);
  const victimDevice = newDevice();
  victimUserId = victimDevice.userId;
  const victim = await connect(victimDevice, 'victim', VICTIM_ADDRESS);
  if (victim === null) throw new Error('the invite flood victim could not connect');
  victim.on('call:incoming', () => (report.victimRings += 1));
  victims.push(victim);
  send({ type: 'prepared' });
}

function start(attacks: Attack[], from: typeof addresses): void {
  report = emptyReport();
  addresses = from;
  // Fresh callers (new users) every phase, signing in from this phase's address.
  callers.splice(0, callers.length, ...Array.from({ length: CALLERS }, (): Caller => ({ device: newDevice(), socket: null })));
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
