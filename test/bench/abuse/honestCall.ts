/**
 * The honest side of the abuse benchmark: two signed-in users (real keys, each
 * other's contacts) from their own addresses in a call, and a signal round trip
 * measured at a steady pace (A sends
 * B a candidate, B sends it straight back), plus /healthz answered meanwhile.
 * Runs in the orchestrator's process, apart from the attacker and the server.
 */
import { request } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { importDevice, makeBenchDevice, makeBenchUser, signIn, type SigningDevice } from '../benchIdentity';
import { HONEST_ADDRESSES } from './messages';

/** One ping every 30 ms per direction: under the default per-socket rate limit (40 events a second). */
const PING_EVERY_MS = 30;
const HEALTH_EVERY_MS = 250;
/** A ping not back within this counts as lost (and its latency as this, so it shows in p99). */
const LOST_AFTER_MS = 5_000;

const signalSchema = z.object({ from: z.string(), data: z.object({ candidate: z.object({ candidate: z.string() }) }) });
const ackSchema = z.union([
  z.object({ ok: z.literal(true), call: z.object({ callId: z.string() }).optional() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export interface HonestSample {
  rttMs: number[];
  lost: number;
  healthMs: number[];
}

export interface HonestCall {
  measure(ms: number): Promise<HonestSample>;
  close(): void;
}

interface Person {
  userId: string;
  deviceId: string;
  socket: Socket;
}

function connectPerson(url: string, password: string, name: string, address: string, device: SigningDevice, contact: string): Promise<Person> {
  const { userId, deviceId } = device;
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    extraHeaders: { 'x-forwarded-for': address },
  });
  signIn(socket, url, device, { displayName: name, password, contacts: [contact], strangerCalls: 'ask' });
  socket.connect();
  return new Promise((resolve, reject) => {
    socket.once('session:welcome', () => resolve({ userId, deviceId, socket }));
    socket.once('connect_error', (err: Error) => reject(new Error(`honest ${name} could not connect: ${err.message}`)));
  });
}

async function ask(socket: Socket, event: string, payload: unknown): Promise<{ callId?: string }> {
  const parsed = ackSchema.parse(await socket.timeout(10_000).emitWithAck(event, payload));
  if (!parsed.ok) throw new Error(`honest ${event} refused: ${parsed.error.code} ${parsed.error.message}`);
  return { callId: parsed.call?.callId };
}

const candidate = (text: string) => ({
  kind: 'candidate',
  candidate: { candidate: text, sdpMid: '0', sdpMLineIndex: 0 },
});

function healthz(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.on('error', () => resolve(Number.POSITIVE_INFINITY));
    req.end();
  });
}

export async function startHonestCall(url: string, password: string): Promise<HonestCall> {
  const [aDevice, bDevice] = [importDevice(makeBenchDevice(makeBenchUser())), importDevice(makeBenchDevice(makeBenchUser()))];
  const a = await connectPerson(url, password, 'honest-a', HONEST_ADDRESSES[0], aDevice, bDevice.userId);
  const b = await connectPerson(url, password, 'honest-b', HONEST_ADDRESSES[1], bDevice, aDevice.userId);
  const ringing = new Promise<string>((resolve) => b.socket.once('call:incoming', (p: { callId: string }) => resolve(p.callId)));
  const { callId } = await ask(a.socket, 'call:invite', { to: b.userId, media: 'audio' });
  if (callId === undefined || (await ringing) !== callId) throw new Error('the honest call did not ring');
  await ask(b.socket, 'call:accept', { callId, audio: true, video: false });

  // B echoes every candidate straight back to A.
  b.socket.on('signal', (raw: unknown) => {
    const signal = signalSchema.safeParse(raw);
    if (!signal.success) return;
    b.socket.emit('signal', { callId, to: a.deviceId, data: candidate(signal.data.data.candidate.candidate) });
  });
  const pending = new Map<number, number>();
  let rtt: number[] = [];
  a.socket.on('signal', (raw: unknown) => {
    const signal = signalSchema.safeParse(raw);
    if (!signal.success) return;
    const seq = Number(/ping-(\d+)/.exec(signal.data.data.candidate.candidate)?.[1]);
    const sentAt = pending.get(seq);
    if (sentAt === undefined) return;
    pending.delete(seq);
    rtt.push(performance.now() - sentAt);
  });
  let seq = 0;

  return {
    measure: async (ms) => {
      rtt = [];
      pending.clear();
      const healthMs: number[] = [];
      const end = performance.now() + ms;
      const pinger = setInterval(() => {
        seq += 1;
        pending.set(seq, performance.now());
        a.socket.emit('signal', { callId, to: b.deviceId, data: candidate(`candidate:ping-${seq} 1 udp 2122260223 127.0.0.1 9 typ host`) });
      }, PING_EVERY_MS);
      const health = (async () => {
        while (performance.now() < end) {
          healthMs.push(await healthz(url));
          await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
        }
      })();
      await new Promise((r) => setTimeout(r, ms));
      clearInterval(pinger);
      await health;
      // Stragglers: wait for the last pings, then count the rest as lost.
      const waitUntil = performance.now() + LOST_AFTER_MS;
      while (pending.size > 0 && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
      const lost = pending.size;
      for (let i = 0; i < lost; i++) rtt.push(LOST_AFTER_MS);
      pending.clear();
      return { rttMs: rtt, lost, healthMs };
    },
    close: () => {
      a.socket.close();
      b.socket.close();
    },
  };
}
