/**
 * parley-server on the lab network, as two computers would use it: the server
 * runs in namespace "a" with `--host 0.0.0.0 --tls self-signed --mdns`; from "b",
 * a Node client finds it by mDNS, the fingerprint in the announcement is the one
 * the server printed, and a socket.io client pinning that fingerprint connects
 * over wss with a real identity. A wrong fingerprint is refused before anything
 * is sent, with a message that says why. And a Chromium in namespace "c",
 * pinning the certificate's public key, opens the https URL as a secure context:
 * its (fake) camera and microphone, WebCrypto and wss all work there; and two
 * browsers, in "a" and "c", send each other audio and video over the bridge.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DiscoveredServer } from '../../signaling-server/mdns';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { SELF_SIGNED_FILE } from '../../signaling-server/tls';
import { CHROMIUM_PATH, chromiumArgs } from '../support/chromium';
import { ADDRESSES, createLab, waitForLine, type Host, type Lab } from './lab';

// Each step starts Node processes inside the lab: give a busy 2-core CI machine room.
vi.setConfig({ testTimeout: 90_000 });

const PROBE = ['--import', 'tsx', 'test/lab/probe.ts'];
const PORT = 7300;
let lab: Lab;
let server: ChildProcess;
let printed: { url: string; fingerprint: string; stdout: () => string; stderr: () => string };
const dataDir = mkdtempSync(join(tmpdir(), 'parley-lab-server-'));

/** Reads the server's human stdout lines until it printed its URL and fingerprint. */
function startupLines(child: ChildProcess): Promise<{ url: string; fingerprint: string; stdout: () => string; stderr: () => string }> {
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server in "a" did not start within 30 s.\nstdout: ${stdout}\nstderr: ${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the server in "a" exited (${code}).\nstdout: ${stdout}\nstderr: ${stderr}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /listening on (\S+?)\/?(\s|$)/.exec(stdout)?.[1];
      const fingerprint = /fingerprint: (\S+)/.exec(stdout)?.[1];
      if (url && fingerprint && /Announced/.test(stdout)) {
        clearTimeout(timer);
        resolve({ url, fingerprint, stdout: () => stdout, stderr: () => stderr });
      }
    });
  });
}

beforeAll(async () => {
  lab = await createLab();
  server = lab.spawn('a', process.execPath, [
    '--import',
    'tsx',
    'signaling-server/cli.ts',
    '--host',
    '0.0.0.0',
    '--port',
    String(PORT),
    '--tls',
    'self-signed',
    '--mdns',
    '--mdns-name',
    'Lab server',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ]);
  printed = await startupLines(server);
}, 90_000);

afterAll(async () => {
  await lab?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function findFromB(waitMs: number): Promise<DiscoveredServer[]> {
  const result = await waitForLine<{ servers: DiscoveredServer[] }>(
    lab.spawn('b', process.execPath, [...PROBE, 'mdns-find', String(waitMs), 'Lab server']),
    (line) => Array.isArray(line.servers),
    waitMs + 20_000,
    'mdns-find in b',
  );
  return result.servers;
}

async function joinFromB(url: string, fingerprint: string): Promise<Record<string, unknown>> {
  return waitForLine<Record<string, unknown>>(
    lab.spawn('b', process.execPath, [...PROBE, 'wss-join', url, fingerprint]),
    (line) => 'tls' in line,
    40_000,
    'wss-join in b',
  );
}

describe('a LAN server with a self-signed certificate, seen from another computer', () => {
  it('prints its https URL and fingerprint, with no plain-http warning', () => {
    expect(printed.url).toBe(`https://0.0.0.0:${PORT}`);
    expect(printed.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(printed.stderr()).not.toContain('without TLS');
    // Listening on every interface, it says the address other computers use (in "a", only the lab's).
    expect(printed.stdout()).toContain(`Other computers on your network can use: https://${ADDRESSES.a}:${PORT}/\n`);
  });

  it('is found by mDNS from "b", and the fingerprint announced is the one it printed', async () => {
    const servers = await findFromB(15_000);
    const found = servers.find((s) => s.name === 'Lab server');
    expect(found, `servers found: ${JSON.stringify(servers)}`).toBeDefined();
    expect(found).toMatchObject({
      name: 'Lab server',
      protocolVersion: PROTOCOL_VERSION,
      compatible: true,
      tls: true,
      fingerprint: printed.fingerprint,
      passwordRequired: false,
      port: PORT,
      url: `https://${ADDRESSES.a}:${PORT}`,
    });
    expect(found?.addresses).toContain(ADDRESSES.a);
  });

  it('lets a client in "b" that pins that fingerprint connect over wss and sign in with a real identity', async () => {
    const result = await joinFromB(`https://${ADDRESSES.a}:${PORT}`, printed.fingerprint);
    expect(result).toMatchObject({ tls: 'pinned', outcome: 'welcomed' });
    expect(result.userId).toBe(result.expectedUserId);
  });

  it('still works with 50 ms of delay (and jitter) each way on the wire', async () => {
    await lab.setImpairment({ delayMs: 50, jitterMs: 10 });
    try {
      const servers = await findFromB(15_000);
      expect(servers.map((s) => s.fingerprint)).toContain(printed.fingerprint);
      const started = Date.now();
      const result = await joinFromB(`https://${ADDRESSES.a}:${PORT}`, printed.fingerprint);
      console.log(`lab: pinned wss sign-in from b over 50±10 ms each way took ${Date.now() - started} ms (including node start-up)`);
      expect(result).toMatchObject({ tls: 'pinned', outcome: 'welcomed' });
    } finally {
      await lab.setImpairment({ delayMs: 0, jitterMs: 0 });
    }
  });

  it('refuses a wrong fingerprint with a clear message, before any request is sent', async () => {
    const wrong = printed.fingerprint.split(':').reverse().join(':');
    const result = await joinFromB(`https://${ADDRESSES.a}:${PORT}`, wrong);
    expect(result).toEqual({
      tls: 'mismatch',
      message:
        `The server at ${ADDRESSES.a}:${PORT} presented a certificate with fingerprint ${printed.fingerprint}, not the ${wrong} you were given. ` +
        'Not connecting: it may be another server, or someone between you and it. Ask the server’s owner for its fingerprint again.',
    });
  });
});

/**
 * Chromium inside namespace "c": playwright starts it through a wrapper that runs
 * it under `ip netns exec` (playwright talks to it over a pipe, so the browser
 * needs no way back to this process's network). The certificate is trusted by its
 * public key's SHA-256 (--ignore-certificate-errors-spki-list: a pin, honoured
 * only with the profile directory playwright always gives; every other
 * certificate error still stops the page).
 */
async function chromiumIn(host: Host, spkiPin: string) {
  const wrapper = join(dataDir, `chromium-in-${host}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.namespaces[host]} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o700);
  return chromium.launch({ executablePath: wrapper, args: [...chromiumArgs(), `--ignore-certificate-errors-spki-list=${spkiPin}`], timeout: 60_000 });
}

function spkiPinOf(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

describe('a browser on a third computer', () => {
  it('opens the https URL as a secure context: fake camera and microphone, WebCrypto and wss work', async () => {
    const pem = readFileSync(join(dataDir, SELF_SIGNED_FILE), 'utf8');
    expect(new X509Certificate(pem).fingerprint256).toBe(printed.fingerprint);
    const browser = await chromiumIn('c', spkiPinOf(pem));
    try {
      const page = await browser.newPage();
      const response = await page.goto(`https://${ADDRESSES.a}:${PORT}/healthz`);
      expect(response?.status()).toBe(200);
      expect(await response?.json()).toMatchObject({ status: 'ok', tlsFingerprint: printed.fingerprint });
      const facts = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        const kinds = stream.getTracks().map((t) => t.kind).sort();
        for (const track of stream.getTracks()) track.stop();
        const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
        const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new TextEncoder().encode('lab'));
        // The Engine.IO open packet ("0{…}") over wss: the signaling transport the app uses.
        const firstPacket = await new Promise<string>((resolve) => {
          const ws = new WebSocket(`wss://${location.host}/socket.io/?EIO=4&transport=websocket`);
          ws.onmessage = (event) => {
            resolve(String(event.data).slice(0, 1));
            ws.close();
          };
          ws.onerror = () => resolve('error');
        });
        return { secure: isSecureContext, kinds, signatureBytes: signature.byteLength, firstPacket };
      });
      console.log(`lab browser in c: ${JSON.stringify(facts)}`);
      expect(facts).toEqual({ secure: true, kinds: ['audio', 'video'], signatureBytes: 64, firstPacket: '0' });
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('refuses the page when the pinned key is another one', async () => {
    const browser = await chromiumIn('c', createHash('sha256').update('another key').digest('base64'));
    try {
      const page = await browser.newPage();
      await expect(page.goto(`https://${ADDRESSES.a}:${PORT}/healthz`)).rejects.toThrow(/net::ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await browser.close();
    }
  }, 90_000);
});

/** A page in `browser` on the server's https URL (a secure context), with a camera and a peer connection. */
async function peerPage(browser: Browser) {
  const page = await browser.newPage();
  await page.goto(`https://${ADDRESSES.a}:${PORT}/healthz`);
  await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    const pc = new RTCPeerConnection({ iceServers: [] });
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    (window as unknown as { pc: RTCPeerConnection }).pc = pc;
  });
  return page;
}

/** Offer/answer between two pages (the test carries the SDP), all ICE candidates gathered first. */
async function connectPages(caller: Page, callee: Page): Promise<void> {
  const gathered = (page: Page, role: 'offer' | 'answer', remote: string | null) =>
    page.evaluate(
      async ({ role, remote }) => {
        const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
        if (remote !== null) await pc.setRemoteDescription(JSON.parse(remote) as RTCSessionDescriptionInit);
        const done = new Promise<void>((resolve) => {
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
        });
        await pc.setLocalDescription(role === 'offer' ? await pc.createOffer() : await pc.createAnswer());
        await done;
        return JSON.stringify(pc.localDescription);
      },
      { role, remote },
    );
  const offerSdp = await gathered(caller, 'offer', null);
  const answerSdp = await gathered(callee, 'answer', offerSdp);
  await caller.evaluate(async (remote) => {
    await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription(JSON.parse(remote) as RTCSessionDescriptionInit);
  }, answerSdp);
}

/** Media this page received so far, and the selected pair's round trip. */
function mediaStats(page: Page) {
  return page.evaluate(async () => {
    const stats = await (window as unknown as { pc: RTCPeerConnection }).pc.getStats();
    let audioBytes = 0;
    let videoFrames = 0;
    let rttMs: number | null = null;
    let remoteAddress: string | null = null;
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    // The pair the transport uses now (a nominated pair's state can read 'in-progress'
    // for a moment while a consent check is out, which left this null under 50 ms of delay).
    const selected = new Set<unknown>();
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') selected.add(s.selectedCandidatePairId);
    });
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audioBytes += Number(s.bytesReceived ?? 0);
      if (s.type === 'inbound-rtp' && s.kind === 'video') videoFrames += Number(s.framesDecoded ?? 0);
      if (s.type === 'candidate-pair' && (selected.has(s.id) || (selected.size === 0 && s.nominated && s.state === 'succeeded'))) {
        rttMs = typeof s.currentRoundTripTime === 'number' ? s.currentRoundTripTime * 1000 : rttMs;
        const remote = byId.get(s.remoteCandidateId as string);
        remoteAddress = (remote?.address as string | undefined) ?? null;
      }
    });
    return { audioBytes, videoFrames, rttMs, remoteAddress };
  });
}

describe('WebRTC across the lab', () => {
  it('carries audio and video both ways between browsers in "a" and "c", without and with 50 ms each way', async () => {
    const pin = spkiPinOf(readFileSync(join(dataDir, SELF_SIGNED_FILE), 'utf8'));
    const [inA, inC] = await Promise.all([chromiumIn('a', pin), chromiumIn('c', pin)]);
    try {
      const [pageA, pageC] = await Promise.all([peerPage(inA), peerPage(inC)]);
      await connectPages(pageC, pageA);
      const flowing = async (label: string) => {
        const before = await Promise.all([mediaStats(pageA), mediaStats(pageC)]);
        let after = before;
        const deadline = Date.now() + 30_000;
        // Until each side has received more audio and decoded more video than before.
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500));
          after = await Promise.all([mediaStats(pageA), mediaStats(pageC)]);
          if (after.every((s, i) => s.audioBytes > (before[i]?.audioBytes ?? 0) + 2_000 && s.videoFrames > (before[i]?.videoFrames ?? 0) + 10)) break;
        }
        // rttMs is the selected pair's STUN round trip: the bridge's delay plus however long a busy machine lets bridge.py wait.
        console.log(`lab WebRTC ${label}: a ${JSON.stringify(after[0])}, c ${JSON.stringify(after[1])}`);
        after.forEach((s, i) => {
          expect(s.audioBytes, `audio received in ${i === 0 ? 'a' : 'c'}`).toBeGreaterThan((before[i]?.audioBytes ?? 0) + 2_000);
          expect(s.videoFrames, `video decoded in ${i === 0 ? 'a' : 'c'}`).toBeGreaterThan((before[i]?.videoFrames ?? 0) + 10);
        });
        expect(after[0]?.remoteAddress).toBe(ADDRESSES.c);
        expect(after[1]?.remoteAddress).toBe(ADDRESSES.a);
      };
      await flowing('no added delay');
      await lab.setImpairment({ delayMs: 50, jitterMs: 5 });
      try {
        await new Promise((r) => setTimeout(r, 3_000)); // a few STUN checks, so currentRoundTripTime reflects the delay
        await flowing('50±5 ms each way');
      } finally {
        await lab.setImpairment({ delayMs: 0, jitterMs: 0 });
      }
    } finally {
      await Promise.all([inA.close(), inC.close()]);
    }
  }, 120_000);
});

describe('a second server with the same name and port on the network', () => {
  it('is not announced, and its log says why and what to do', async () => {
    const second = lab.spawn('c', process.execPath, [
      ...['--import', 'tsx', 'signaling-server/cli.ts', '--host', '0.0.0.0', '--port', String(PORT), '--tls', 'self-signed'],
      ...['--mdns', '--mdns-name', 'Lab server', '--data-dir', join(dataDir, 'second'), '--log-level', 'warn'],
    ]);
    let stderr = '';
    second.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    second.stdout?.resume();
    const deadline = Date.now() + 30_000;
    while (!stderr.includes('not announced by mDNS') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    second.kill('SIGTERM');
    expect(stderr).toContain(
      'not announced by mDNS: the name is already in use on the network (another server with the same name and port?). Choose another name (--mdns-name) or port.',
    );
    const fingerprints = (await findFromB(5_000)).map((s) => s.fingerprint);
    expect(fingerprints).toEqual([printed.fingerprint]);
  });
});

describe('a renewed certificate (SIGHUP)', () => {
  it('is announced by mDNS with its new fingerprint', async () => {
    const certFile = join(dataDir, 'renew-cert.pem');
    const keyFile = join(dataDir, 'renew-key.pem');
    const writePair = async () => {
      const made = await generate([{ name: 'commonName', value: 'lab.test' }], { keyType: 'ec', algorithm: 'sha256' });
      writeFileSync(certFile, made.cert);
      writeFileSync(keyFile, made.private);
      return new X509Certificate(made.cert).fingerprint256;
    };
    const first = await writePair();
    const renewing = lab.spawn('c', process.execPath, [
      ...['--import', 'tsx', 'signaling-server/cli.ts', '--host', '0.0.0.0', '--port', '7301', '--tls-cert', certFile, '--tls-key', keyFile],
      ...['--mdns', '--mdns-name', 'Renewing', '--data-dir', join(dataDir, 'renewing'), '--log-level', 'warn'],
    ]);
    renewing.stdout?.resume();
    const watch = lab.spawn('b', process.execPath, [...PROBE, 'mdns-watch']);
    try {
      type Seen = { up?: string; down?: string; fingerprint?: string };
      await waitForLine<Seen>(watch, (line) => line.up?.startsWith('Renewing') === true && line.fingerprint === first, 30_000, 'the first certificate by mDNS');
      const second = await writePair();
      const renewedSeen = waitForLine<Seen>(watch, (line) => line.up?.startsWith('Renewing') === true && line.fingerprint === second, 30_000, 'the renewed certificate by mDNS');
      renewing.kill('SIGHUP');
      expect((await renewedSeen).fingerprint).toBe(second);
    } finally {
      renewing.kill('SIGTERM');
      watch.kill();
    }
  });
});

describe('stopping the server', () => {
  it('takes its mDNS announcement off the network (a goodbye, not a record left to expire in 2 minutes)', async () => {
    const watch = lab.spawn('b', process.execPath, [...PROBE, 'mdns-watch']);
    const up = await waitForLine<{ up?: string; fingerprint?: string }>(watch, (line) => line.up?.startsWith('Lab server') === true, 20_000, 'the server seen by mdns-watch in b');
    expect(up.fingerprint).toBe(printed.fingerprint);
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const down = waitForLine<{ down?: string }>(watch, (line) => line.down === up.up, 20_000, 'the goodbye seen by mdns-watch in b');
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await down).toEqual({ down: up.up });
    watch.kill();
  }, 60_000);
});
