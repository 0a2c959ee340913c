/**
 * The server's version, reported in `session:welcome` and `/healthz`.
 *
 * A constant rather than a read of package.json: this module is bundled into the
 * CLI (ESM) and into Electron's main process (CJS), where neither `import.meta.url`
 * nor a JSON import outside this folder's tsconfig project works everywhere.
 * test/server/version.test.ts keeps it equal to package.json's version.
 */
export const SERVER_VERSION = '0.1.0';
