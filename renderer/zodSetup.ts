/**
 * zod, configured before any schema exists: main.tsx imports this module first.
 *
 * Without `jitless`, every `z.object()` compiles a fast parser with `new Function`,
 * after one probe `new Function('')` when the first object schema is built (at
 * module load, not at the first parse). The page's CSP (script-src 'self', no
 * 'unsafe-eval') blocks both, zod falls back to its plain parser, and the browser
 * reports each attempt: "blocked eval" errors on every page load in Firefox, a
 * `securitypolicyviolation` in Chromium. jitless skips the probe and the compile.
 * The preload parses the same way (preload/bridge.ts).
 * test/e2e/contentSecurity.test.ts checks a page load reports no violation.
 */
import { z } from 'zod';

z.config({ jitless: true });
