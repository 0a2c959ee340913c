/**
 * The protocol between signaling-server nodes when they scale out on Redis. Only
 * server nodes speak it; the renderer never imports this file (eslint's
 * no-restricted-imports keeps renderer/ to protocol.ts), so the client–server wire
 * in protocol.ts stays the one thing a client needs to know.
 */
import type { PublicKey } from './identity';
import type { Ack, ClientEventName, DeviceId, SocketData, StrangerCalls, UserId } from './protocol';

// With a Redis URL, every node is a gateway for its own sockets and one node at a
// time, the coordinator, owns presence and calls (see signaling-server/clusterNode.ts).
// A gateway forwards what its sockets do to the coordinator with these events; every
// other node receives them too and answers `{ handled: false }`. What arrives from
// another node is `unknown` until signaling-server/clusterMessages.ts parsed it.

/** A client's socket on some node, as the node that holds it names it. */
export interface NodeSocketRef {
  /** The node that holds the socket (its gateway). */
  nodeId: string;
  /** socket.io's id of the socket: `io.to(socketId)` reaches it from any node. */
  socketId: string;
  /** Who the socket is, as its handshake said (checked by the gateway). */
  party: { userId: UserId; deviceId: DeviceId; displayName: string };
  /**
   * The user's verified key, contact list and stranger-call setting (presence
   * goes to mutual contacts only). On `node:event` the gateway sends what it
   * holds; the coordinator reads it only on `node:connect`.
   */
  profile: { userKey: PublicKey; contacts: UserId[]; strangerCalls: StrangerCalls };
}

/**
 * The status a device chose last, and when (ms since epoch, the gateway's clock).
 * Kept on `socket.data` (SocketData in protocol.ts, which socket.io types), so
 * the type is read from there rather than written twice.
 */
export type ChosenStatusMark = NonNullable<SocketData['chosen']>;

export interface NodeClientEvent extends NodeSocketRef {
  event: ClientEventName;
  /** Parsed by the gateway; parsed again by the coordinator. */
  payload: unknown;
  /**
   * The gateway's id for this request. A request answered later (`sfu:*`: the
   * coordinator waits for Janus) is replied `{ pending: true }` at once, and its
   * ack follows as `node:ack` with this id. Without it the coordinator waits for
   * the ack itself, within the adapter's 5 s reply window.
   */
  requestId?: string;
}

/** The ack of a request that was replied `{ pending: true }`, for the gateway that asked. */
export interface NodeLateAck {
  /** The gateway node that forwarded the request. */
  nodeId: string;
  requestId: string;
  ack: Ack<object>;
}

/** How a node answers a forwarded request: only the coordinator handles it. */
export type NodeReply<T extends object = Record<never, never>> =
  | { handled: false }
  | ({ handled: true; nodeId: string } & T);

/** Events between server nodes (socket.io `serverSideEmit`, carried by the Redis adapter). */
export interface InterServerEvents {
  /** A socket connected to a gateway: admit it (or kick it) and welcome it. */
  'node:connect': (payload: NodeSocketRef, ack: (reply: NodeReply<{ admitted: boolean }>) => void) => void;
  /** A socket of a gateway is gone. */
  'node:disconnect': (payload: NodeSocketRef, ack: (reply: NodeReply) => void) => void;
  /** A client event, already checked against its schema and the rate limit by the gateway. */
  'node:event': (payload: NodeClientEvent, ack: (reply: NodeReply<{ ack: Ack<object> } | { pending: true }>) => void) => void;
  /** A pending request's ack (see NodeClientEvent.requestId); only the gateway named in it reads it. */
  'node:ack': (payload: NodeLateAck) => void;
  /** The coordinator is leaving (clean shutdown): another node should take over now. */
  'node:coordinator-released': (payload: { nodeId: string }) => void;
}
