/**
 * Just enough STUN (RFC 5389) and TURN (RFC 5766) over UDP to ask a TURN server two
 * things: "are you there?" (Binding) and "will you relay for this credential?"
 * (Allocate with the long-term credential mechanism, RFC 5389 §10.2).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;

export const METHOD = { binding: 0x001, allocate: 0x003 } as const;
const CLASS_SUCCESS = 0x100;
const CLASS_ERROR = 0x110;

const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;

export interface StunMessage {
  type: number;
  transactionId: Buffer;
  attributes: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(length, 2);
  head.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(head, 8);
  return head;
}

/** A request; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over everything before it) closes it. */
export function encodeRequest(method: number, attributes: [number, Buffer][], key?: Buffer): { bytes: Buffer; transactionId: Buffer } {
  const transactionId = randomBytes(12);
  const body = Buffer.concat(attributes.map(([type, value]) => attribute(type, value)));
  if (!key) return { bytes: Buffer.concat([header(method, body.length, transactionId), body]), transactionId };
  // The length in the header counts the MESSAGE-INTEGRITY attribute (24 bytes) already.
  const signed = Buffer.concat([header(method, body.length + 24, transactionId), body]);
  const mac = createHmac('sha1', key).update(signed).digest();
  return { bytes: Buffer.concat([signed, attribute(ATTR.messageIntegrity, mac)]), transactionId };
}

export function decode(bytes: Buffer): StunMessage | null {
  if (bytes.length < 20 || bytes.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  const length = bytes.readUInt16BE(2);
  const attributes = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= 20 + length && at + 4 <= bytes.length; ) {
    const type = bytes.readUInt16BE(at);
    const size = bytes.readUInt16BE(at + 2);
    attributes.set(type, bytes.subarray(at + 4, at + 4 + size));
    at += 4 + Math.ceil(size / 4) * 4;
  }
  return { type: bytes.readUInt16BE(0), transactionId: bytes.subarray(8, 20), attributes };
}

/** The ERROR-CODE of an error response (e.g. 401), or null. */
export function errorCodeOf(message: StunMessage): number | null {
  const value = message.attributes.get(ATTR.errorCode);
  if ((message.type & 0x110) !== CLASS_ERROR || !value || value.length < 4) return null;
  return (value[2] ?? 0) * 100 + (value[3] ?? 0);
}

export const isSuccess = (message: StunMessage): boolean => (message.type & 0x110) === CLASS_SUCCESS;

/** Sends `bytes` and waits for the response with the same transaction id, retransmitting (RFC 5389 §7.2.1). */
export function exchange(socket: Socket, port: number, request: { bytes: Buffer; transactionId: Buffer }, timeoutMs = 3_000): Promise<StunMessage> {
  return new Promise((resolve, reject) => {
    let delay = 100;
    let retransmit: ReturnType<typeof setTimeout> | null = null;
    const send = (): void => {
      socket.send(request.bytes, port, '127.0.0.1');
      retransmit = setTimeout(send, (delay = Math.min(delay * 2, 800)));
    };
    const done = (): void => {
      clearTimeout(deadline);
      if (retransmit) clearTimeout(retransmit);
      socket.off('message', onMessage);
    };
    const onMessage = (bytes: Buffer): void => {
      const message = decode(bytes);
      if (!message || !message.transactionId.equals(request.transactionId)) return;
      done();
      resolve(message);
    };
    const deadline = setTimeout(() => {
      done();
      reject(new Error(`no STUN answer from 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', onMessage);
    send();
  });
}

export async function withSocket<T>(use: (socket: Socket) => Promise<T>): Promise<T> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    return await use(socket);
  } finally {
    socket.close();
  }
}

/** Whether a STUN server answers a Binding request on 127.0.0.1:`port` right now. */
export function answersBinding(port: number, timeoutMs = 300): Promise<boolean> {
  return withSocket(async (socket) => {
    try {
      return isSuccess(await exchange(socket, port, encodeRequest(METHOD.binding, []), timeoutMs));
    } catch {
      return false;
    }
  });
}

export type AllocateOutcome = { ok: true; relayed: string } | { ok: false; code: number | null };

/**
 * A TURN Allocate for UDP with the long-term credential `username`/`password`:
 * the first request is challenged (401 with REALM and NONCE), the second carries
 * the credential. Resolves with the relayed address or the server's error code.
 */
export function allocate(port: number, username: string, password: string): Promise<AllocateOutcome> {
  return withSocket(async (socket) => {
    const udp = Buffer.from([17, 0, 0, 0]);
    const challenge = await exchange(socket, port, encodeRequest(METHOD.allocate, [[ATTR.requestedTransport, udp]]));
    const realm = challenge.attributes.get(ATTR.realm);
    const nonce = challenge.attributes.get(ATTR.nonce);
    if (errorCodeOf(challenge) !== 401 || !realm || !nonce) return { ok: false, code: errorCodeOf(challenge) };
    const key = createHash('md5').update(`${username}:${realm.toString('utf8')}:${password}`).digest();
    const answer = await exchange(
      socket,
      port,
      encodeRequest(
        METHOD.allocate,
        [
          [ATTR.requestedTransport, udp],
          [ATTR.username, Buffer.from(username, 'utf8')],
          [ATTR.realm, realm],
          [ATTR.nonce, nonce],
        ],
        key,
      ),
    );
    if (!isSuccess(answer)) return { ok: false, code: errorCodeOf(answer) };
    return { ok: true, relayed: xorAddress(answer.attributes.get(ATTR.xorRelayedAddress)) };
  });
}

/** An XOR-…-ADDRESS (IPv4) as "a.b.c.d:port". */
function xorAddress(value: Buffer | undefined): string {
  if (!value || value.length < 8) return '';
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const ip = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}
