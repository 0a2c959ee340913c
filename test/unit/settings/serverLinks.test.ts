import { describe, expect, it } from 'vitest';
import {
  checkIceServers,
  checkPort,
  checkServerEntry,
  checkServerList,
  desktopJoinLink,
  groupedFingerprint,
  normaliseFingerprint,
  parseDesktopJoinLink,
  parseJoinHash,
  parseJoinText,
  webJoinLink,
  type JoinInvite,
  type ServerEntry,
} from '../../../renderer/ui/settings/serverLinks';

const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0').slice(-2)).join(':');
const entry = (patch: Partial<ServerEntry>): ServerEntry => ({ url: 'https://192.168.1.20:7300', fingerprint: '', password: '', allowPlaintext: false, ...patch });

describe('fingerprints', () => {
  it('accepts the forms people paste and writes them the one way the server prints them', () => {
    expect(normaliseFingerprint(FP)).toBe(FP);
    expect(normaliseFingerprint(FP.toLowerCase().replaceAll(':', ' '))).toBe(FP);
    expect(normaliseFingerprint(FP.replaceAll(':', ''))).toBe(FP);
    expect(normaliseFingerprint(FP.slice(3))).toBeNull();
    expect(normaliseFingerprint(`${FP}:00`)).toBeNull();
    expect(normaliseFingerprint('zz'.repeat(32))).toBeNull();
    expect(groupedFingerprint(FP).split(' ')).toHaveLength(8);
  });
});

describe('a server to join (issue 13 item 6d: plaintext to another computer)', () => {
  it('refuses plain http to another computer with the reason, unless the person allowed it for that server', () => {
    const refused = checkServerEntry(entry({ url: 'http://192.168.1.20:7300' }));
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok) {
      expect(refused.message).toMatch(/plain http/);
      expect(refused.message).toMatch(/Allow plaintext for this server/);
    }
    expect(checkServerEntry(entry({ url: 'http://192.168.1.20:7300', allowPlaintext: true }))).toEqual({
      ok: true,
      value: { url: 'http://192.168.1.20:7300', fingerprint: '', password: '', allowPlaintext: true },
    });
    for (const host of ['parley.example.org', '10.0.0.1', '[fe80::1]', '127.evil.example']) {
      expect(checkServerEntry(entry({ url: `http://${host}:7300` })).ok, host).toBe(false);
    }
  });

  it('lets plain http to this computer through without asking', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) {
      expect(checkServerEntry(entry({ url: `http://${host}:7300` })).ok, host).toBe(true);
    }
  });

  it('keeps the allowance off for https, where it means nothing', () => {
    const ok = checkServerEntry(entry({ allowPlaintext: true, fingerprint: FP.toLowerCase() }));
    expect(ok).toEqual({ ok: true, value: { url: 'https://192.168.1.20:7300', fingerprint: FP, password: '', allowPlaintext: false } });
  });

  it('refuses what is not a server address, with a message that says what to write', () => {
    const cases: [Partial<ServerEntry>, RegExp][] = [
      [{ url: '' }, /Enter the server/],
      [{ url: 'not a url' }, /not an address/],
      [{ url: 'ftp://192.168.1.20' }, /starts with https/],
      [{ url: 'https://me:pw@192.168.1.20' }, /Password field/],
      [{ url: 'https://192.168.1.20:7300/x?y' }, /without a path/],
      [{ fingerprint: 'AB:CD' }, /64 hexadecimal/],
      [{ url: 'http://127.0.0.1:7300', fingerprint: FP }, /has none/],
      [{ password: 'x'.repeat(257) }, /password is longer/],
    ];
    for (const [patch, message] of cases) {
      const result = checkServerEntry(entry(patch));
      expect(result.ok, JSON.stringify(patch)).toBe(false);
      if (!result.ok) expect(result.message).toMatch(message);
    }
  });

  it('checks a failover list in order and names the server at fault', () => {
    expect(checkServerList([])).toMatchObject({ ok: false });
    const list = checkServerList([entry({}), entry({ url: 'http://10.0.0.9:7300' })]);
    expect(list.ok).toBe(false);
    if (!list.ok) expect(list.message).toMatch(/^Server 2: /);
    const twice = checkServerList([entry({}), entry({ url: 'https://192.168.1.20:7300/' })]);
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.message).toMatch(/twice/);
    const ok = checkServerList([entry({ url: 'https://b.example:443' }), entry({})]);
    expect(ok.ok && ok.value.map((e) => e.url)).toEqual(['https://b.example', 'https://192.168.1.20:7300']);
    expect(checkServerList(Array.from({ length: 9 }, (_, i) => entry({ url: `https://10.0.0.${i + 1}` }))).ok).toBe(false);
  });
});

describe('hosting fields', () => {
  it('takes a port from 1024 to 65535', () => {
    expect(checkPort('7300')).toEqual({ ok: true, value: 7300 });
    for (const text of ['80', '65536', '7300.5', 'abc', '', '-1']) expect(checkPort(text).ok, text).toBe(false);
  });

  it('takes STUN/TURN URIs, one per line, and asks for the TURN secret', () => {
    expect(checkIceServers('', '')).toEqual({ ok: true, value: [] });
    expect(checkIceServers('stun:192.168.1.5:3478\n\n turn:turn.example.org:3478?transport=tcp ', 's3cret')).toEqual({
      ok: true,
      value: ['stun:192.168.1.5:3478', 'turn:turn.example.org:3478?transport=tcp'],
    });
    const noSecret = checkIceServers('turn:turn.example.org:3478', ' ');
    expect(noSecret.ok).toBe(false);
    if (!noSecret.ok) expect(noSecret.message).toMatch(/shared secret/);
    expect(checkIceServers('https://turn.example.org', '').ok).toBe(false);
  });
});

describe('join links', () => {
  const invite: JoinInvite = { server: 'https://192.168.1.20:7300', fingerprint: FP, password: 'p&ss=word #1', name: 'Ana’s laptop' };

  it('round-trips the desktop link and the browser link', () => {
    expect(parseDesktopJoinLink(desktopJoinLink(invite))).toEqual({ ok: true, value: invite });
    const web = webJoinLink(invite);
    expect(web.startsWith('https://192.168.1.20:7300/#join?')).toBe(true);
    const url = new URL(web);
    expect(parseJoinHash(url.hash, url.origin)).toEqual({ ok: true, value: invite });
    expect(parseJoinText(` ${web} `)).toEqual({ ok: true, value: invite });
    expect(parseJoinText(desktopJoinLink(invite))).toEqual({ ok: true, value: invite });
  });

  it('leaves out what was not shared', () => {
    const bare: JoinInvite = { server: 'https://parley.example.org', fingerprint: null, password: null, name: null };
    expect(desktopJoinLink(bare)).toBe('parley://join?server=https%3A%2F%2Fparley.example.org');
    expect(parseDesktopJoinLink(desktopJoinLink(bare))).toEqual({ ok: true, value: bare });
  });

  it('refuses links that would pin nothing useful or lead somewhere else, and says why', () => {
    const bad: [string, RegExp][] = [
      ['parley://call/abc', /not a Parley join link/],
      ['parley://join?fp=' + FP, /which server/],
      [`parley://join?server=${encodeURIComponent('http://192.168.1.20:7300')}`, /plain http/],
      [`parley://join?server=${encodeURIComponent('https://192.168.1.20')}&fp=ABCD`, /fingerprint/],
      [`parley://join?server=${encodeURIComponent('https://192.168.1.20')}&evil=1`, /does not know/],
      [`parley://join?server=${encodeURIComponent('https://192.168.1.20')}&name=%07bell`, /control characters/],
      ['https://192.168.1.20:7300/#join?server=https%3A%2F%2Fother.example', /cannot name another server/],
      ['hello', /Paste a parley:\/\/join link/],
    ];
    for (const [text, message] of bad) {
      const result = parseJoinText(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.message, text).toMatch(message);
    }
  });

  it('ignores a hash that is not a join', () => {
    expect(parseJoinHash('#add/abc/def', 'https://192.168.1.20:7300')).toBeNull();
    expect(parseJoinHash('', 'https://192.168.1.20:7300')).toBeNull();
  });
});
