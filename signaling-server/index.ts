/**
 * The signaling server as a library: the CLI (cli.ts) and Electron's main process
 * both start it through `createSignalingServer`.
 */
export { createSignalingServer, type SignalingServer } from './server';
export { DEFAULT_PORT, DEFAULT_RATE_LIMIT, OptionError, type SignalingServerOptions } from './options';
export { SERVER_VERSION } from './version';
