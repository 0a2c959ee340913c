/**
 * The signaling server in a process of its own, for tests that kill it without a
 * goodbye (SIGKILL: no 'server:shutdown', sockets just die). argv[2] is the JSON
 * of its options; it prints "LISTENING <url>" once it listens.
 */
import { createSignalingServer, type SignalingServerOptions } from '../../signaling-server/index';

// createSignalingServer checks every option itself and throws an Error that names a bad one.
const options = JSON.parse(process.argv[2] ?? '{}') as SignalingServerOptions;
const server = await createSignalingServer({ host: '127.0.0.1', logLevel: 'silent', ...options });
process.stdout.write(`LISTENING ${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
