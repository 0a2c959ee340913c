import { createServer } from 'node:net';

/**
 * A port free on 127.0.0.1 now, for a server that must be told its port before it
 * starts (or must come back on the same one). Another process may take it in between;
 * the tests that use it start their server at once.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error(`Listening on 127.0.0.1 port 0 gave no TCP port (address: ${String(address)})`));
      });
    });
  });
}
