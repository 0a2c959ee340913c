/**
 * One node's own way to Redis, which a test can cut and restore: a TCP relay on
 * 127.0.0.1 in front of the real redis-server. Cut, it ends every connection
 * through it and refuses new ones at once (as a host that became unreachable
 * would, minus the wait), while the other nodes keep talking to Redis directly.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface RedisLink {
  /** The Redis URL that goes through the link. */
  readonly url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function openRedisLink(redisPort: number): Promise<RedisLink> {
  let open = true;
  const pairs = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(redisPort, '127.0.0.1');
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(client);
      pairs.delete(upstream);
    };
    // A reset on either side ends both; node-redis sees a closed connection and retries.
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.add(client);
    pairs.add(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the Redis link did not get a TCP port');
  const dropAll = (): void => {
    for (const socket of [...pairs]) socket.destroy();
    pairs.clear();
  };
  return {
    url: `redis://127.0.0.1:${address.port}`,
    cut: () => {
      open = false;
      dropAll();
    },
    restore: () => {
      open = true;
    },
    close: async () => {
      open = false;
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
