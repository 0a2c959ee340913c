/**
 * Issue 13 on the renderer side, without a browser: the browser host's answers to
 * the new bridge methods, the #join?… address handed over once, the join list a
 * confirmed invite makes, and what the screens show (rendered to markup).
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_HOST_SERVER, browserJoinLink, joinLink, type HostNotice, type JoinRef, type ServerChoice } from '../../../preload/contract';
import { createWebHost, watchJoinHash } from '../../../renderer/host/web';
import { createMemoryStorage } from '../../../renderer/host/webStorage';
import { JoinServerDialog } from '../../../renderer/ui/settings/JoinServerDialog';
import { NearbyServers, nearbyInvite } from '../../../renderer/ui/settings/NearbyServers';
import { ServerSettings } from '../../../renderer/ui/settings/ServerSettings';
import { ShareJoinPanel } from '../../../renderer/ui/settings/ShareJoinPanel';
import { withJoined } from '../../../renderer/ui/settings/useServerUi';

const FP = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) % 256).toString(16).toUpperCase().padStart(2, '0')).join(':');
const ref: JoinRef = { server: 'https://10.99.0.1:7300', fingerprint: FP, password: 'open sesame' };

function webHost(origin = 'https://10.99.0.1:7300', fetch?: (url: string) => Promise<Response>) {
  return createWebHost({
    fetch,
    storage: createMemoryStorage(),
    tabStorage: createMemoryStorage(),
    origin,
    version: '1.0.0',
    platform: 'test',
    notifications: null,
    page: null,
  }).bridge;
}

/** Just enough of a Window for watchJoinHash: an address, history.replaceState and hashchange. */
function fakeWindow(href: string) {
  let url = new URL(href);
  const listeners = new Set<() => void>();
  const win = {
    get location() {
      return { href: url.href, hash: url.hash, pathname: url.pathname, search: url.search, protocol: url.protocol };
    },
    history: { replaceState: (_s: unknown, _t: string, to: string) => void (url = new URL(to, url)) },
    addEventListener: (_type: string, listener: () => void) => void listeners.add(listener),
    removeEventListener: (_type: string, listener: () => void) => void listeners.delete(listener),
  };
  return {
    win: win as unknown as Window,
    href: () => url.href,
    go(to: string) {
      url = new URL(to);
      for (const listener of listeners) listener();
    },
  };
}

describe('the browser host and issue 13', () => {
  it('never hosts, and says why it cannot probe or look on the network', async () => {
    const bridge = webHost();
    expect(await bridge.getHostedServer()).toEqual({ state: 'off' });
    await expect(bridge.probeServer({ url: 'https://10.99.0.2:7300', fingerprint: FP })).rejects.toThrow(/cannot check another server’s certificate/);
    await expect(bridge.startServerDiscovery()).rejects.toThrow(/cannot look for Parley servers on your network/);
    await expect(bridge.stopServerDiscovery()).resolves.toBeUndefined();
  });

  it('compares a fingerprint with the one the page’s own server reports, and says clearly when they differ', async () => {
    const asked: string[] = [];
    const health = (body: unknown) => async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(body));
    };
    const other = FP.split(':').reverse().join(':');
    expect(await webHost(undefined, health({ status: 'ok', tlsFingerprint: FP })).probeServer({ url: ref.server, fingerprint: FP })).toEqual({ ok: true, fingerprint: FP });
    expect(asked).toEqual(['https://10.99.0.1:7300/healthz']);
    const wrong = await webHost(undefined, health({ status: 'ok', tlsFingerprint: FP })).probeServer({ url: ref.server, fingerprint: other });
    expect(wrong).toEqual({
      ok: false,
      reason: 'fingerprint_mismatch',
      message: `its certificate has fingerprint ${FP}, not the ${other} you were given. Not joining: it may be another server, or someone between you and it. Ask the person hosting for the fingerprint again.`,
      fingerprint: FP,
    });
    const silent = await webHost(undefined, async () => new Response('not json')).probeServer({ url: ref.server, fingerprint: FP });
    expect(silent).toMatchObject({ ok: false, reason: 'unreachable' });
  });

  it('signs in to the page’s server with the password kept for it in the join list', async () => {
    const bridge = webHost();
    const settings = await bridge.getSettings();
    await bridge.updateSettings({ server: withJoined(settings.server, ref) });
    expect(await bridge.getServerEndpoint()).toEqual({ urls: ['https://10.99.0.1:7300'], password: 'open sesame' });
  });

  it('hands a #join?… address over once and takes it (and its password) out of the address', async () => {
    const page = fakeWindow(browserJoinLink(ref, true));
    const got: JoinRef[] = [];
    const notices: HostNotice[] = [];
    const off = watchJoinHash((r) => got.push(r), (n) => notices.push(n), page.win);
    await Promise.resolve();
    expect(got).toEqual([ref]);
    expect(page.href()).toBe('https://10.99.0.1:7300/');
    page.go(browserJoinLink({ ...ref, password: '' }, false));
    expect(got).toHaveLength(2);
    off();
    page.go(browserJoinLink(ref, true));
    expect(got).toHaveLength(2);
    expect(notices).toEqual([]);
  });

  it('says so when a #join address cannot be read, and joins nothing', async () => {
    const page = fakeWindow('https://10.99.0.1:7300/#join?fp=ABCD');
    const got: JoinRef[] = [];
    const notices: HostNotice[] = [];
    watchJoinHash((r) => got.push(r), (n) => notices.push(n), page.win);
    await Promise.resolve();
    expect(got).toEqual([]);
    expect(notices).toEqual([{ level: 'warning', message: expect.stringMatching(/join link is damaged/) }]);
    const plain = fakeWindow(`http://10.99.0.1:7300/#join?fp=${FP}`);
    watchJoinHash((r) => got.push(r), (n) => notices.push(n), plain.win);
    await Promise.resolve();
    expect(got).toEqual([]);
    expect(notices[1]?.message).toMatch(/only on an https:\/\/ page/);
  });
});

describe('joining a server from an invite', () => {
  const choice: ServerChoice = {
    mode: 'lan',
    join: [
      { url: 'https://old.example', fingerprint: null, password: 'x', allowPlaintext: false },
      { url: 'https://10.99.0.1:7300', fingerprint: null, password: 'stale', allowPlaintext: false },
    ],
    host: DEFAULT_HOST_SERVER,
  };

  it('puts it first with its fingerprint pinned, keeps the others after it, and stops hosting', () => {
    expect(withJoined(choice, ref)).toEqual({
      mode: 'off',
      join: [{ url: ref.server, fingerprint: FP, password: 'open sesame', allowPlaintext: false }, choice.join[0]],
      host: DEFAULT_HOST_SERVER,
    });
    // An invite without a password keeps the one already known for that server.
    expect(withJoined(choice, { ...ref, password: '' }).join[0]?.password).toBe('stale');
  });

  it('pins only what a nearby server announces over TLS', () => {
    const found = {
      instance: 'Lab server',
      name: 'Lab server',
      protocolVersion: 3,
      compatible: true,
      tls: true,
      fingerprint: FP,
      passwordRequired: true,
      port: 7300,
      addresses: ['10.99.0.1'],
      url: 'https://10.99.0.1:7300',
    };
    expect(nearbyInvite(found)).toEqual({ server: 'https://10.99.0.1:7300', fingerprint: FP, password: '' });
    expect(nearbyInvite({ ...found, tls: false, fingerprint: null, url: 'http://10.99.0.1:7300' })).toBeNull();
  });
});

describe('what the screens show', () => {
  it('the join question names the server and shows the fingerprint to compare', () => {
    const html = renderToStaticMarkup(<JoinServerDialog invite={ref} name="Lab server" source="link" onJoin={vi.fn()} onClose={vi.fn()} />);
    expect(html).toContain('Join Lab server (https://10.99.0.1:7300)?');
    expect(html).toContain(FP.split(':').slice(0, 4).join(':'));
    expect(html).toContain('The server’s password came with it');
  });

  it('Share how to join gives both links (password left out until ticked), the fingerprint, and which link the QR code carries', () => {
    const html = renderToStaticMarkup(<ShareJoinPanel invite={ref} />);
    expect(html).toContain(joinLink(ref, false).replaceAll('&', '&amp;'));
    expect(html).toContain(browserJoinLink(ref, false).replaceAll('&', '&amp;'));
    expect(html).not.toContain('sesame');
    expect(html).toContain('Put the password in the links');
    // The QR code itself (contacts/QrCode.tsx) is drawn in the browser; here, the choice of which link it carries.
    expect(html).toContain('aria-label="QR code for"');
  });

  it('Settings → Server shows the hosted server’s fingerprint, password and addresses, and a share panel', () => {
    const choice: ServerChoice = { mode: 'lan', join: [], host: { ...DEFAULT_HOST_SERVER, password: 'made-up-pw' } };
    const html = renderToStaticMarkup(
      <ServerSettings
        choice={choice}
        hosted={{ state: 'running', mode: 'lan', port: 7300, localUrl: 'https://127.0.0.1:7300', urls: ['https://10.99.0.1:7300'], fingerprint: FP, passwordRequired: true, announcedAs: 'Parley on lab' }}
        canHost
        nearby={[]}
        onSave={vi.fn()}
        onPickNearby={vi.fn()}
      />,
    );
    expect(html).toContain(`data-testid="hosting-fingerprint">${FP}<`);
    expect(html).toContain('data-testid="hosting-password">made-up-pw<');
    expect(html).toContain('https://10.99.0.1:7300');
    expect(html).toContain('Share how to join');
  });

  it('in the browser, hosting is offered to nobody and the network list says why it is empty', () => {
    const choice: ServerChoice = { mode: 'off', join: [{ url: 'https://10.99.0.1:7300', fingerprint: null, password: '', allowPlaintext: false }], host: DEFAULT_HOST_SERVER };
    const html = renderToStaticMarkup(
      <ServerSettings choice={choice} hosted={{ state: 'off' }} canHost={false} nearby={null} nearbyUnavailable="No mDNS in a browser." onSave={vi.fn()} onPickNearby={vi.fn()} />,
    );
    expect(html).toContain('A browser cannot host a server');
    expect(html.match(/type="radio"[^>]*disabled=""/g)).toHaveLength(2);
    expect(html).toContain('No mDNS in a browser.');
    const nearby = renderToStaticMarkup(
      <NearbyServers
        servers={[{ instance: 'x', name: 'Old one', protocolVersion: 1, compatible: false, tls: true, fingerprint: FP, passwordRequired: false, port: 7300, addresses: [], url: 'https://10.99.0.9:7300' }]}
        onPick={vi.fn()}
      />,
    );
    expect(nearby).toContain('runs a different Parley version');
    expect(nearby).toMatch(/disabled=""[^>]*aria-label="Join Old one"|aria-label="Join Old one"[^>]*disabled=""/);
  });
});
