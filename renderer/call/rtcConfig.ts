/**
 * The RTCConfiguration for new peer connections: the server's ICE servers (STUN,
 * and TURN with short-lived REST credentials) and, when the person asked to hide
 * their IP address, `iceTransportPolicy: 'relay'`.
 *
 * TURN credentials expire (`ttlSeconds` in the 'ice:servers' ack; coturn checks the
 * expiry in the username on every Allocate). A configuration is reused only while
 * its credentials have a comfortable margin left, so that a session opened late in
 * a long call (someone added, an ICE restart after an hour) never allocates with a
 * credential that is about to lapse.
 */
import { log } from '../log';

export interface IceServersAnswer {
  iceServers: RTCIceServer[];
  /** How long the credentials stay valid; 0 when nothing in the list expires. */
  ttlSeconds: number;
}

export interface RtcConfigSourceOptions {
  /** Asks the server ('ice:servers'); rejects when it cannot. */
  fetch(): Promise<IceServersAnswer>;
  now(): number;
  /** Settings → "Relay calls through the server (hide my IP address)". */
  relayOnly(): boolean;
  /** False when `fetch` answers from elsewhere (an embedder's servers): what the signaling server offers is ignored. */
  takesOffered: boolean;
}

export interface RtcConfigSource {
  /** A configuration whose credentials are still good; fetched when needed. */
  get(): Promise<RTCConfiguration>;
  /**
   * The configuration kept from before, if its credentials are still good; null
   * when get() would have to ask. A caller's first offer (issue 15) is made before
   * the invite, when the server does not yet give this device ICE servers: it is
   * made only with these.
   */
  fresh(): RTCConfiguration | null;
  /**
   * Starts a fetch now, without waiting for it, so that the first get() of a call
   * finds it done (issue 15: asked beside the invite, not after its ack). Nothing
   * when a fresh configuration is cached or a fetch is on its way. A failure (the
   * server may refuse before it has seen the invite) is only logged: the next
   * get() asks again as if this never happened.
   */
  warm(): void;
  /**
   * ICE servers the server sent unasked (with a ring: `call:incoming`'s `ice`), kept
   * as a fetch's answer would be, so that the ringing call's first get() needs no
   * round trip. Ignored with relay-only on and no TURN in them (get() asks, and says
   * why it cannot), or when the servers come from elsewhere (`takesOffered`).
   */
  offer(answer: IceServersAnswer): void;
  /**
   * What a (re)connection's welcome says of the server's ICE servers: a list
   * without credentials is kept as `offer` keeps one; none means the server now
   * gives its servers only for calls (it has TURN), so a kept list that never
   * expires is from before (a server without TURN then, restarted with it since)
   * and is forgotten: the next call asks, and gets the relay.
   */
  welcomed(answer: IceServersAnswer | null): void;
  /** Forget what was fetched (the next get() asks again). */
  reset(): void;
}

/** Refused when relaying is required but the server offers no TURN server. */
export class RelayUnavailableError extends Error {
  constructor() {
    super(
      'Relay-only calls are on, but this server offers no TURN relay, so the call cannot connect without revealing your IP address. ' +
        'Turn off “Relay calls through the server” in Settings, or ask whoever runs the server to set up TURN.',
    );
    this.name = 'RelayUnavailableError';
  }
}

/**
 * How long a list with credentials valid for `ttlSeconds` may be reused: the TTL
 * minus a fifth of it (at least a minute, at most half of it). Never expires when
 * nothing in it does.
 */
export function reuseWindowMs(ttlSeconds: number): number {
  if (ttlSeconds <= 0) return Number.POSITIVE_INFINITY;
  const ttlMs = ttlSeconds * 1000;
  const margin = Math.min(Math.max(60_000, ttlMs / 5), ttlMs / 2);
  return ttlMs - margin;
}

function hasTurn(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^turns?:/i.test(url)),
  );
}

export function createRtcConfigSource(options: RtcConfigSourceOptions): RtcConfigSource {
  let cached: { config: RTCConfiguration; freshUntil: number; relayOnly: boolean } | null = null;
  let pending: Promise<RTCConfiguration> | null = null;
  /** Bumped by reset(): an answer to a request made before it is not kept. */
  let generation = 0;
  /** A warm() fetch on its way: get() waits for it before it decides. */
  let warming: Promise<void> | null = null;
  const isFresh = (relayOnly: boolean): boolean =>
    cached !== null && cached.relayOnly === relayOnly && options.now() < cached.freshUntil;

  const build = (answer: IceServersAnswer, relayOnly: boolean): RTCConfiguration => {
    if (relayOnly && !hasTurn(answer.iceServers)) throw new RelayUnavailableError();
    return relayOnly ? { iceServers: answer.iceServers, iceTransportPolicy: 'relay' } : { iceServers: answer.iceServers };
  };
  const keep = (answer: IceServersAnswer, relayOnly: boolean): void => {
    cached = { config: build(answer, relayOnly), freshUntil: options.now() + reuseWindowMs(answer.ttlSeconds), relayOnly };
  };

  const refresh = async (relayOnly: boolean): Promise<RTCConfiguration> => {
    const stale = cached;
    const asked = generation;
    let answer: IceServersAnswer;
    try {
      answer = await options.fetch();
    } catch (error) {
      log.child('call.ice').warn(
        stale && stale.relayOnly === relayOnly
          ? 'could not fetch ICE servers; using the ones fetched before'
          : 'could not fetch ICE servers; going on without STUN or TURN (host candidates only)',
        error,
      );
      // Offline for a moment: credentials that are not quite fresh beat none (they
      // are refreshed with a margin, so they are usually still valid).
      if (stale && stale.relayOnly === relayOnly) return stale.config;
      // No STUN/TURN: host candidates still connect peers on one network.
      return build({ iceServers: [], ttlSeconds: 0 }, relayOnly);
    }
    const config = build(answer, relayOnly);
    if (asked === generation) keep(answer, relayOnly);
    return config;
  };

  const source: RtcConfigSource = {
    fresh() {
      const relayOnly = options.relayOnly();
      return cached && isFresh(relayOnly) ? cached.config : null;
    },
    get() {
      if (warming) return warming.then(() => source.get());
      const relayOnly = options.relayOnly();
      if (cached && cached.relayOnly === relayOnly && options.now() < cached.freshUntil) {
        return Promise.resolve(cached.config);
      }
      if (pending) return pending;
      const asked: Promise<RTCConfiguration> = refresh(relayOnly).finally(() => {
        if (pending === asked) pending = null;
      });
      pending = asked;
      return asked;
    },
    warm() {
      const relayOnly = options.relayOnly();
      if (isFresh(relayOnly) || pending || warming) return;
      const asked = generation;
      const started: Promise<void> = options
        .fetch()
        .then((answer) => {
          if (asked !== generation) return;
          keep(answer, relayOnly);
        })
        .catch((error: unknown) => {
          log.child('call.ice').debug('fetching ICE servers ahead of the call failed; asked again when the call needs them', error);
        })
        .finally(() => {
          if (warming === started) warming = null;
        });
      warming = started;
    },
    offer(answer) {
      const relayOnly = options.relayOnly();
      if (!options.takesOffered || (relayOnly && !hasTurn(answer.iceServers))) return;
      keep(answer, relayOnly);
    },
    welcomed(answer) {
      if (answer) source.offer(answer);
      else if (options.takesOffered && cached !== null && cached.freshUntil === Number.POSITIVE_INFINITY) cached = null;
    },
    reset() {
      cached = null;
      pending = null;
      warming = null;
      generation += 1;
    },
  };
  return source;
}
