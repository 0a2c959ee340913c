/**
 * The signaling server for the call engine's unit tests: the REAL Switchboard
 * (presence, the call registry, rejoin tokens, invite limits) and the real event
 * dispatch (rate limit, `clientSchemas` parse, handler, ack), over in-memory
 * sockets instead of socket.io (memorySocket.ts). So the engine's unit tests
 * cannot drift from the server: whatever the server does, they see.
 *
 * Options are the server's own (resolveOptions, with its defaults), and the
 * Switchboard is built the way a standalone node builds it (switchboardOptions).
 * A restart is what a real one is: every connection is told and closed, the calls
 * are forgotten, and a new Switchboard starts with the membership key, the same
 * one unless told otherwise, so members rejoin with the tokens they hold.
 *
 * Contacts: presence and pre-connecting flow between mutual contacts only. By
 * default every fake user lists every user the server has seen (so everyone is
 * everyone's contact, as the engine tests assume); an Identity with `contacts`
 * lists just those, to test calls between strangers.
 *
 * Time: the server's call timers (ring timeout, grace period) run on the system
 * clock unless the test passes a `clock` (e.g. ManualTimers through `manualClock`).
 */
import type { Logger } from 'pino';
import { createLogger } from '../../../signaling-server/logger';
import { MembershipSigner } from '../../../signaling-server/membershipToken';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from '../../../signaling-server/options';
import type { CallSnapshot } from '../../../signaling-server/protocol';
import { loadMembershipKey } from '../../../signaling-server/serverSecret';
import { switchboardOptions } from '../../../signaling-server/standalone';
import { installEventDispatch } from '../../../signaling-server/eventDispatch';
import { Switchboard } from '../../../signaling-server/switchboard';
import type { Clock } from '../../../signaling-server/callRegistry';
import { MemoryClient, MemoryTransport, type Identity, type MemoryServer, type MemoryServerSocket } from './memorySocket';

/** A device's connection to the fake call server (the engine's CallSignaling). */
export type FakeSignaling = MemoryClient;

export type FakeCallServerOptions = Pick<
  SignalingServerOptions,
  'maxParticipants' | 'ringTimeoutMs' | 'rejoinGraceMs' | 'inviteLimits' | 'maxDevicesPerUser' | 'membershipSecret' | 'stunUrls' | 'turn' | 'rateLimit'
>;

/** Survives `restart`, as the real server's key in its data folder does. */
const MEMBERSHIP_SECRET = 'fake-call-server-membership-secret-0001';
/** A well-formed Ed25519 SPKI-sized key for identities that bring none (the server only relays it). */
const PLACEHOLDER_KEY = { alg: 'Ed25519', spki: 'A'.repeat(59) } as const;
const GOODBYE = { message: 'The Parley server is shutting down. Parley reconnects by itself when it is back.' };

interface Running {
  board: Switchboard<MemoryServerSocket>;
  transport: MemoryTransport;
  /** Shutting down: disconnects no longer reach this board (as standalone.ts). */
  closing: boolean;
}

export class FakeCallServer implements MemoryServer {
  /** False: every snapshot arrives without its token, as from a server that never signed one. */
  issueTokens = true;
  private readonly options: ResolvedOptions;
  private readonly log: Logger = createLogger('warn');
  private key: Buffer;
  private running: Running;

  constructor(
    options: Partial<FakeCallServerOptions> = {},
    private readonly clock?: Clock,
  ) {
    this.options = resolveOptions({ logLevel: 'warn', membershipSecret: MEMBERSHIP_SECRET, ...options });
    this.key = loadMembershipKey(this.options, this.log);
    this.running = this.start();
  }

  /** Users seen so far: whom an Identity without `contacts` lists. */
  private readonly known = new Set<string>();
  /** Users whose Identity named no contacts: they list everyone, also those who come later. */
  private readonly listsEveryone = new Set<string>();

  /** A device connects; the server welcomes it. */
  connect(self: Identity): FakeSignaling {
    return new MemoryClient(this, self);
  }

  /** MemoryServer: what standalone.ts does with a new socket. */
  accept(socket: MemoryServerSocket): void {
    const running = this.running;
    const { board, transport } = running;
    const { userId, deviceId, displayName, userKey, contacts, strangerCalls = 'ring' } = socket.data;
    const party = { userId, deviceId, displayName };
    this.known.add(userId);
    if (contacts === undefined) this.listsEveryone.add(userId);
    else this.listsEveryone.delete(userId);
    // Those who list everyone list the newcomer too, before it arrives (nobody is told yet).
    for (const user of [...board.presence.everyone()]) {
      if (user.userId !== userId && this.listsEveryone.has(user.userId)) {
        for (const deviceId of board.presence.devicesOf(user.userId)) {
          board.setContacts({ userId: user.userId, deviceId, displayName: user.displayName }, [...this.known], board.presence.strangerCalls(user.userId) ?? 'ring');
        }
      }
    }
    const profile = { userKey: userKey ?? PLACEHOLDER_KEY, contacts: contacts ?? [...this.known], strangerCalls };
    transport.add(socket);
    if (!board.connect(party, profile, socket)) return;
    installEventDispatch(socket, (event, payload) => board.handle(party, event, payload), this.options.rateLimit, this.log);
    socket.on('disconnect', () => {
      if (!running.closing) board.disconnect(party, socket);
    });
  }

  /** MemoryServer: every packet on its way out. */
  rewrite(packet: unknown): unknown {
    return this.issueTokens ? packet : withoutTokens(packet);
  }

  /**
   * The server restarts: it says goodbye, closes every connection and forgets
   * every call. Its membership key stays (tokens it signed stay valid) unless a
   * new secret is given, as when its data folder was lost.
   */
  restart(options: { membershipSecret?: string } = {}): void {
    this.stop();
    if (options.membershipSecret !== undefined) this.key = loadMembershipKey(options, this.log);
    this.running = this.start();
  }

  /** Stops the server's timers and closes every connection. */
  dispose(): void {
    this.stop();
  }

  /** The token the server signs into this device's snapshots of the call. */
  tokenFor(callId: string, self: Pick<Identity, 'userId' | 'deviceId'>): string {
    return new MembershipSigner(this.key).sign(callId, self.userId, self.deviceId);
  }

  get activeCalls(): number {
    return this.running.board.registry.activeCalls;
  }

  /** The call as the server holds it now (seen by nobody in it), or null. */
  call(callId: string): CallSnapshot | null {
    return this.running.board.registry.snapshot(callId, '');
  }

  private start(): Running {
    const transport = new MemoryTransport();
    const board = new Switchboard<MemoryServerSocket>(
      { ...switchboardOptions(this.options, this.log, this.key), ...(this.clock ? { clock: this.clock } : {}) },
      transport,
    );
    return { board, transport, closing: false };
  }

  /** As standalone.ts shuts down: the board first, then goodbye to every socket. */
  private stop(): void {
    const running = this.running;
    running.closing = true;
    running.board.dispose();
    for (const socket of running.transport.sockets) {
      socket.emit('server:shutdown', GOODBYE);
      socket.disconnect();
    }
  }
}

/** The packet with every `rejoinToken` set to null. */
function withoutTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, key === 'rejoinToken' ? null : withoutTokens(field)]));
}
