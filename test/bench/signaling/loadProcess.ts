/**
 * One load generator: a share of the benchmark's socket.io-client sockets, for
 * both servers under test, driven by the orchestrator over IPC (see messages.ts).
 * Several of these run at once, each in its own process, so that the clients' own
 * work is spread over the cores and stays out of the servers' processes.
 *
 * Every socket handshakes as a Parley client would: protocol version, its device
 * credential and a proof signed over this connection's Engine.IO id, display name,
 * contacts (see ../benchIdentity.ts; the keys are imported on 'prepare', before
 * anything is timed, and the bare relay gets the same handshake, which it ignores).
 * Pair members are in a call with their partner (on
 * Parley: a real invite and accept) and, during their server's relay windows, send
 * it `signal`s carrying an ICE candidate whose text holds the send time; the
 * receiver takes the one-way latency. process.hrtime.bigint() reads
 * CLOCK_MONOTONIC, one clock for every process on the machine, so a time taken in
 * one process is comparable in another.
 */
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { importDevice, signIn, type SigningDevice } from '../benchIdentity';
import { candidateText, sentAtNs } from './candidate';
import { toLoadSchema, type ClientGroup, type ClientSpec, type FromLoad, type Relayed, type RelayWindow, type ServerKind, type ToLoad } from './messages';

/** A client of this process, its key imported. */
interface Prepared {
  spec: ClientSpec;
  device: SigningDevice;
}

const prepared: Record<ClientGroup, Prepared[]> = { pairMembers: [], idle: [] };

const HANDSHAKE_DEADLINE_MS = 90_000;

interface Client {
  kind: ServerKind;
  spec: ClientSpec;
  socket: Socket;
  /** Parley: the call this pair member is in, once known. */
  callId: string | null;
  inCall: boolean;
  /** Parley: the rejoin token and media of the last snapshot of its call (for the reconnect storm). */
  rejoin: { token: string; media: string } | null;
}

interface PerServer {
  clients: Client[];
  /** deviceId → socket id of every pair member (the bare relay addresses sockets). */
  socketIds: Record<string, string>;
  /** Measured windows of this server, as [start, end) in ns. */
  measured: [bigint, bigint][];
  latenciesUs: number[];
  callErrors: string[];
}

const servers: Record<ServerKind, PerServer> = {
  parley: { clients: [], socketIds: {}, measured: [], latenciesUs: [], callErrors: [] },
  bare: { clients: [], socketIds: {}, measured: [], latenciesUs: [], callErrors: [] },
};

function send(message: FromLoad): void {
  process.send?.(message);
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// ─── server events, parsed (they arrive from the wire) ──────────────────────

const signalEventSchema = z.object({ data: z.object({ candidate: z.object({ candidate: z.string() }) }) });
const incomingSchema = z.object({ callId: z.string() });
const updatedSchema = z.object({
  call: z.object({ callId: z.string(), media: z.string().optional(), members: z.array(z.unknown()), rejoinToken: z.string().nullable().optional() }),
});
const ackSchema = z.union([
  z.object({ ok: z.literal(true), call: z.object({ callId: z.string() }).optional() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

/** Sender and receiver apply the same rule: a signal counts when its send time falls in a measured window. */
function isMeasured(server: PerServer, sentAt: bigint): boolean {
  return server.measured.some(([from, to]) => sentAt >= from && sentAt < to);
}

function onSignal(server: PerServer, raw: unknown): void {
  const now = process.hrtime.bigint();
  const parsed = signalEventSchema.safeParse(raw);
  if (!parsed.success) return;
  const sentAt = sentAtNs(parsed.data.data.candidate.candidate);
  if (sentAt === null || !isMeasured(server, sentAt)) return;
  server.latenciesUs.push(Number(now - sentAt) / 1_000);
}

// ─── connect ────────────────────────────────────────────────────────────────

function prepare(message: Extract<ToLoad, { type: 'prepare' }>): Promise<void> {
  prepared.pairMembers = message.pairMembers.map((spec) => ({ spec, device: importDevice(spec.device) }));
  prepared.idle = message.idle.map((spec) => ({ spec, device: importDevice(spec.device) }));
  send({ type: 'prepared', clients: prepared.pairMembers.length + prepared.idle.length });
  return Promise.resolve();
}

function open(url: string, kind: ServerKind, { spec, device }: Prepared, localAddress?: string): Promise<Client> {
  const server = servers[kind];
  const socket = io(url, {
    transports: ['websocket'],
    // engine.io-client hands localAddress to ws in Node (not in its typings).
    ...(localAddress === undefined ? {} : ({ localAddress } as object)),
    // One connection per client: without forceNew, socket.io-client multiplexes
    // every io(url) onto a single WebSocket.
    forceNew: true,
    reconnection: false,
    timeout: 60_000,
    autoConnect: false,
  });
  signIn(socket, url, device, { displayName: spec.displayName, contacts: spec.contacts, strangerCalls: 'ask' });
  const client: Client = { kind, spec, socket, callId: null, inCall: false, rejoin: null };
  if (spec.role !== 'idle') {
    socket.on('signal', (raw: unknown) => onSignal(server, raw));
    socket.on('call:updated', (raw: unknown) => {
      const parsed = updatedSchema.safeParse(raw);
      if (!parsed.success) return;
      const { call } = parsed.data;
      if (call.members.length >= 2 && call.callId === client.callId) client.inCall = true;
      if (call.callId === client.callId && call.rejoinToken) client.rejoin = { token: call.rejoinToken, media: call.media ?? 'audio' };
    });
  }
  if (spec.role === 'callee') {
    socket.on('call:incoming', (raw: unknown) => {
      const parsed = incomingSchema.safeParse(raw);
      if (!parsed.success) return;
      const { callId } = parsed.data;
      client.callId = callId;
      socket.emit('call:accept', { callId, audio: true, video: false }, (ack: unknown) => {
        const answer = ackSchema.safeParse(ack);
        if (answer.success && answer.data.ok) client.inCall = true;
        else server.callErrors.push(`accept: ${JSON.stringify(ack)}`);
      });
    });
  }
  return new Promise((resolve, reject) => {
    // socket.io's `timeout` covers opening the transport, not the answer to the
    // handshake: without this a lost answer would stall the whole run.
    const deadline = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer to the handshake within ${HANDSHAKE_DEADLINE_MS / 1000} s`));
    }, HANDSHAKE_DEADLINE_MS);
    socket.once('connect', () => {
      clearTimeout(deadline);
      resolve(client);
    });
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      clearTimeout(deadline);
      socket.close();
      reject(error.data === undefined ? error : new Error(`${error.message}: ${JSON.stringify(error.data)}`));
    });
    socket.connect();
  });
}

async function connectAll(message: Extract<ToLoad, { type: 'connect' }>): Promise<void> {
  const server = servers[message.kind];
  const clients = prepared[message.group];
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async (): Promise<void> => {
    while (next < clients.length) {
      const client = clients[next++] as Prepared;
      try {
        server.clients.push(await open(message.url, message.kind, client, message.localAddress));
      } catch (error) {
        failed += 1;
        firstError ??= `${client.spec.device.deviceId}: ${describe(error)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, worker));
  const ids: Record<string, string> = {};
  for (const c of server.clients) if (c.spec.role !== 'idle' && c.socket.id) ids[c.spec.device.deviceId] = c.socket.id;
  send({ type: 'connected', kind: message.kind, connected: clients.length - failed, failed, firstError, socketIds: ids });
}

// ─── calls ──────────────────────────────────────────────────────────────────

async function setUpCalls(message: Extract<ToLoad, { type: 'call' }>): Promise<void> {
  const server = servers[message.kind];
  server.socketIds = message.socketIds;
  const members = server.clients.filter((c) => c.spec.role !== 'idle');
  if (message.kind === 'bare') {
    for (const c of members) c.inCall = true;
  } else {
    for (const c of members) {
      if (c.spec.role !== 'caller' || !c.spec.partner) continue;
      c.socket.emit('call:invite', { to: c.spec.partner.userId, media: 'audio' }, (ack: unknown) => {
        const answer = ackSchema.safeParse(ack);
        if (answer.success && answer.data.ok && answer.data.call) c.callId = answer.data.call.callId;
        else server.callErrors.push(`invite: ${JSON.stringify(ack)}`);
      });
    }
  }
  const deadline = Date.now() + 60_000;
  while (members.some((c) => !c.inCall) && Date.now() < deadline && server.callErrors.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const failed = members.filter((c) => !c.inCall).length;
  send({ type: 'inCall', kind: message.kind, calls: members.length - failed, failed, firstError: server.callErrors[0] ?? null });
}

// ─── relay ──────────────────────────────────────────────────────────────────

async function relay(message: Extract<ToLoad, { type: 'relay' }>): Promise<void> {
  const windows = message.windows.map((w: RelayWindow) => ({ kind: w.kind, start: BigInt(w.startNs), end: BigInt(w.endNs), measured: w.measured, sent: 0 }));
  const stats: Record<ServerKind, Relayed> = {
    parley: { sent: 0, measuredSent: 0, refused: 0, firstRefusal: null },
    bare: { sent: 0, measuredSent: 0, refused: 0, firstRefusal: null },
  };
  for (const kind of ['parley', 'bare'] as const) {
    servers[kind].latenciesUs = [];
    servers[kind].measured = windows.filter((w) => w.kind === kind && w.measured).map((w) => [w.start, w.end]);
  }
  const senders: Record<ServerKind, Client[]> = {
    parley: servers.parley.clients.filter((c) => c.spec.role !== 'idle' && c.inCall && c.spec.partner),
    bare: servers.bare.clients.filter((c) => c.spec.role !== 'idle' && c.inCall && c.spec.partner),
  };
  const ackFor = (kind: ServerKind) => (ack: unknown): void => {
    const answer = ackSchema.safeParse(ack);
    if (answer.success && answer.data.ok) return;
    stats[kind].refused += 1;
    stats[kind].firstRefusal ??= JSON.stringify(ack);
  };
  const acks = { parley: ackFor('parley'), bare: ackFor('bare') };
  const emitOne = (client: Client): void => {
    const partner = client.spec.partner as { deviceId: string };
    const sentAt = process.hrtime.bigint();
    const data = { kind: 'candidate', candidate: { candidate: candidateText(sentAt), sdpMid: '0', sdpMLineIndex: 0 } };
    if (client.kind === 'bare') {
      client.socket.emit('signal', { to: servers.bare.socketIds[partner.deviceId] ?? '', data }, acks.bare);
    } else {
      client.socket.emit('signal', { callId: client.callId ?? '', to: partner.deviceId, data }, acks.parley);
    }
    stats[client.kind].sent += 1;
    if (isMeasured(servers[client.kind], sentAt)) stats[client.kind].measuredSent += 1;
  };
  const last = windows.reduce((end, w) => (w.end > end ? w.end : end), 0n);
  await new Promise<void>((resolve) => {
    // Each tick sends what is due by now in the current window, so the rate holds
    // however late a timer fires.
    const tick = (): void => {
      const now = process.hrtime.bigint();
      if (now >= last) return resolve();
      const window = windows.find((w) => now >= w.start && now < w.end);
      const from = window ? senders[window.kind] : [];
      if (window && from.length > 0) {
        const due = Math.floor((Number(now - window.start) / 1e9) * (message.rate[window.kind] ?? 0));
        while (window.sent < due) {
          emitOne(from[window.sent % from.length] as Client);
          window.sent += 1;
        }
      }
      setTimeout(tick, 2);
    };
    tick();
  });
  // Signals may still be on their way: the orchestrator collects once every
  // measured one has arrived somewhere (see 'collect').
  send({ type: 'relayed', parley: stats.parley, bare: stats.bare });
}

function collect(message: Extract<ToLoad, { type: 'collect' }>): Promise<void> {
  const of = (kind: ServerKind): { received: number; latenciesUs: number[] } => ({
    received: servers[kind].latenciesUs.length,
    latenciesUs: message.final ? servers[kind].latenciesUs : [],
  });
  send({ type: 'collected', parley: of('parley'), bare: of('bare') });
  if (message.final) {
    servers.parley.latenciesUs = [];
    servers.bare.latenciesUs = [];
  }
  return Promise.resolve();
}

// ─── reconnect storm ────────────────────────────────────────────────────────

/** Connects one client again after its server restarted, waits for its welcome, then rejoins its call. */
function comeBack(client: Client): Promise<{ rejoined: boolean }> {
  const { socket } = client;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`not back within ${HANDSHAKE_DEADLINE_MS / 1000} s`)), HANDSHAKE_DEADLINE_MS);
    const fail = (error: Error): void => {
      clearTimeout(deadline);
      reject(error);
    };
    socket.once('connect_error', (error: Error & { data?: unknown }) => fail(error.data === undefined ? error : new Error(`${error.message}: ${JSON.stringify(error.data)}`)));
    // The bare relay sends no welcome: its clients are back once connected (they waited out the deadline before).
    socket.once(client.kind === 'bare' ? 'connect' : 'session:welcome', () => {
      socket.off('connect_error');
      if (client.kind === 'bare' || client.rejoin === null || client.callId === null) {
        clearTimeout(deadline);
        resolve({ rejoined: false });
        return;
      }
      const { token, media } = client.rejoin;
      socket.emit('call:rejoin', { callId: client.callId, media, audio: true, video: false, rejoinToken: token }, (ack: unknown) => {
        const answer = ackSchema.safeParse(ack);
        if (answer.success && answer.data.ok) {
          clearTimeout(deadline);
          resolve({ rejoined: true });
        } else fail(new Error(`rejoin refused: ${JSON.stringify(ack)}`));
      });
    });
    socket.connect();
  });
}

async function storm(message: Extract<ToLoad, { type: 'storm' }>): Promise<void> {
  const clients = servers[message.kind].clients;
  // The server was killed: wait (briefly) until every socket has noticed.
  const until = Date.now() + 10_000;
  while (clients.some((c) => c.socket.connected) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  let next = 0;
  let back = 0;
  let rejoined = 0;
  let failed = 0;
  let firstError: string | null = null;
  let lastDoneNs = process.hrtime.bigint();
  const giveUp = Date.now() + message.deadlineMs;
  const worker = async (): Promise<void> => {
    while (next < clients.length && Date.now() < giveUp) {
      const client = clients[next++] as Client;
      try {
        const done = await comeBack(client);
        back += 1;
        if (done.rejoined) rejoined += 1;
        lastDoneNs = process.hrtime.bigint();
      } catch (error) {
        failed += 1;
        firstError ??= `${client.spec.device.deviceId}: ${describe(error)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, worker));
  const toRejoin = clients.filter((c) => c.rejoin !== null).length;
  send({ type: 'stormed', kind: message.kind, back, rejoined, toRejoin, failed, firstError, lastDoneNs: String(lastDoneNs) });
}

// ─── the IPC loop ───────────────────────────────────────────────────────────

function handle(message: ToLoad): Promise<void> {
  switch (message.type) {
    case 'prepare':
      return prepare(message);
    case 'connect':
      return connectAll(message);
    case 'call':
      return setUpCalls(message);
    case 'relay':
      return relay(message);
    case 'collect':
      return collect(message);
    case 'storm':
      return storm(message);
    case 'close':
      for (const server of Object.values(servers)) for (const c of server.clients) c.socket.close();
      process.exit(0);
  }
}

process.on('message', (raw: unknown) => {
  const message = toLoadSchema.safeParse(raw);
  if (!message.success) {
    send({ type: 'failed', message: `loadProcess: unexpected IPC message: ${message.error.message}` });
    return;
  }
  handle(message.data).catch((error: unknown) => send({ type: 'failed', message: describe(error) }));
});
