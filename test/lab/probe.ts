/**
 * Small network probes the lab tests run inside a lab namespace
 * (`ip netns exec … node --import tsx test/lab/probe.ts <command> …`): the
 * test process itself lives outside the lab. Each prints JSON lines on stdout.
 *
 *   udp-echo PORT                          echo every datagram back; {"ready":true}
 *   udp-ping HOST PORT COUNT INTERVAL_MS   {"sent","received","rttsMs":[…]}
 *   mcast-listen GROUP PORT IFACE_ADDR     {"ready":true}, then {"from","text"} per datagram
 *   mcast-send GROUP PORT IFACE_ADDR TEXT COUNT
 *   mdns-find WAIT_MS [INSTANCE_PREFIX]    {"servers":[…]} (mdns.ts findServers)
 *   mdns-watch                             {"up":instance,"fingerprint"} / {"down":instance} as they happen
 *   wss-join URL FINGERPRINT               {"tls":…, "outcome":…}: pin, connect over wss with a real identity
 */
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { browseServers, findServers } from '../../signaling-server/mdns';
import { fetchPinnedCertificate, FingerprintMismatchError, pinnedTlsOptions } from '../../signaling-server/tls';
import { authenticate, makeIdentity } from '../support/testIdentity';

const print = (obj: object): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};
const log = pino({ level: 'warn' }, pino.destination(2));

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'udp-echo': {
      const socket = createSocket('udp4');
      socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
      socket.bind(Number(args[0]), () => print({ ready: true }));
      return;
    }
    case 'udp-ping': {
      const [host, port, count, interval] = [args[0] ?? '', Number(args[1]), Number(args[2]), Number(args[3])];
      const socket = createSocket('udp4');
      const sentAt = new Map<number, bigint>();
      const rttsMs: number[] = [];
      socket.on('message', (msg) => {
        const seq = msg.readUInt32BE(0);
        const at = sentAt.get(seq);
        if (at === undefined) return;
        sentAt.delete(seq);
        rttsMs.push(Number(process.hrtime.bigint() - at) / 1e6);
      });
      await new Promise<void>((resolve) => socket.bind(0, resolve));
      for (let seq = 0; seq < count; seq++) {
        const msg = Buffer.alloc(64);
        msg.writeUInt32BE(seq, 0);
        sentAt.set(seq, process.hrtime.bigint());
        socket.send(msg, port, host);
        await new Promise((r) => setTimeout(r, interval));
      }
      // Late answers: up to a second after the last one went out.
      await new Promise((r) => setTimeout(r, 1_000));
      socket.close();
      print({ sent: count, received: rttsMs.length, rttsMs });
      return;
    }
    case 'mcast-listen': {
      const [group, port, iface] = [args[0] ?? '', Number(args[1]), args[2] ?? ''];
      const socket = createSocket({ type: 'udp4', reuseAddr: true });
      socket.on('message', (msg, rinfo) => print({ from: rinfo.address, text: msg.toString('utf8') }));
      socket.bind(port, () => {
        socket.addMembership(group, iface);
        print({ ready: true });
      });
      return;
    }
    case 'mcast-send': {
      const [group, port, iface, text, count] = [args[0] ?? '', Number(args[1]), args[2] ?? '', args[3] ?? '', Number(args[4])];
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, iface, resolve));
      socket.setMulticastInterface(iface);
      socket.setMulticastTTL(1);
      for (let i = 0; i < count; i++) {
        await new Promise<void>((resolve, reject) => socket.send(`${text} ${i}`, port, group, (err) => (err ? reject(err) : resolve())));
        await new Promise((r) => setTimeout(r, 100));
      }
      socket.close();
      print({ sent: count });
      return;
    }
    case 'mdns-find': {
      const waitMs = Number(args[0]);
      const prefix = args[1];
      const servers = await findServers({ waitMs, log, until: (s) => prefix === undefined || s.instance.startsWith(prefix) });
      print({ servers });
      return;
    }
    case 'mdns-watch': {
      const browser = browseServers({
        log,
        onUp: (server) => print({ up: server.instance, fingerprint: server.fingerprint }),
        onDown: (instance) => print({ down: instance }),
      });
      setInterval(() => browser.refresh(), 1_000);
      return;
    }
    case 'wss-join': {
      const [url, fingerprint] = [args[0] ?? '', args[1] ?? ''];
      const { hostname, port } = new URL(url);
      let certificate: string;
      try {
        certificate = await fetchPinnedCertificate(hostname, Number(port), fingerprint);
      } catch (err) {
        print({ tls: err instanceof FingerprintMismatchError ? 'mismatch' : 'error', message: (err as Error).message });
        return;
      }
      const identity = await makeIdentity();
      const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false, ...pinnedTlsOptions(certificate, fingerprint) });
      authenticate(socket, url, identity, { displayName: 'Lab B' });
      const outcome = await new Promise<object>((resolve) => {
        const timer = setTimeout(() => resolve({ outcome: 'timeout' }), 15_000);
        socket.once('session:welcome', (welcome: { self?: { userId?: string } }) => {
          clearTimeout(timer);
          resolve({ outcome: 'welcomed', userId: welcome.self?.userId ?? null, expectedUserId: identity.userId });
        });
        socket.once('connect_error', (err: Error & { data?: { code: string; message: string } }) => {
          clearTimeout(timer);
          resolve(err.data ? { outcome: 'refused', code: err.data.code, message: err.data.message } : { outcome: 'transport-error', message: err.message });
        });
        socket.connect();
      });
      socket.disconnect();
      print({ tls: 'pinned', ...outcome });
      return;
    }
    default:
      throw new Error(`unknown probe "${command ?? ''}"`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
