import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_HOST_SERVER,
  DEFAULT_SETTINGS,
  muteShortcutIssue,
  muteShortcutProblem,
  settingsProblemOf,
  settingsSchema,
  type ServerChoice,
} from '../../../preload/contract';
import { i18n } from '../../../renderer/i18n';
import {
  checkIceServers,
  checkPort,
  checkServerChoice,
  checkServerEntry,
  checkServerList,
  entryOf,
  settingsProblemText,
  groupedFingerprint,
  iceText,
  type ServerEntry,
} from '../../../renderer/ui/settings/serverLinks';

const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0').slice(-2)).join(':');
const entry = (patch: Partial<ServerEntry>): ServerEntry => ({ url: 'https://192.168.1.20:7300', fingerprint: '', password: '', allowPlaintext: false, ...patch });

describe('fingerprints', () => {
  it('are shown in 8 groups of 4 pairs, to be read out in pieces', () => {
    expect(groupedFingerprint(FP).split(' ')).toHaveLength(8);
    expect(groupedFingerprint(FP).replaceAll(' ', ':')).toBe(FP);
  });
});

describe('a server to join (issue 13 item 6d: plaintext to another computer)', () => {
  it('refuses plain http to another computer with the reason, unless the person allowed it for that server', () => {
    const refused = checkServerEntry(entry({ url: 'http://192.168.1.20:7300' }));
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok) {
      expect(refused.message).toMatch(/^192\.168\.1\.20:7300: it uses plain http/);
      expect(refused.message).toMatch(/Allow plaintext for this server/);
      expect(refused.code).toBe('server_plaintext');
    }
    expect(checkServerEntry(entry({ url: 'http://192.168.1.20:7300', allowPlaintext: true }))).toEqual({
      ok: true,
      value: { url: 'http://192.168.1.20:7300', fingerprint: null, password: '', allowPlaintext: true },
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
    const ok = checkServerEntry(entry({ allowPlaintext: true, fingerprint: FP.toLowerCase().replaceAll(':', ' ') }));
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
    expect(checkIceServers('', '')).toEqual({ ok: true, value: { stunUrls: [], turnUrls: [], turnSecret: '' } });
    const both = checkIceServers('stun:192.168.1.5:3478\n\n turn:turn.example.org:3478?transport=tcp ', ' s3cret ');
    expect(both).toEqual({
      ok: true,
      value: { stunUrls: ['stun:192.168.1.5:3478'], turnUrls: ['turn:turn.example.org:3478?transport=tcp'], turnSecret: 's3cret' },
    });
    expect(both.ok && iceText({ ...DEFAULT_HOST_SERVER, ...both.value })).toBe('stun:192.168.1.5:3478\nturn:turn.example.org:3478?transport=tcp');
    const noSecret = checkIceServers('turn:turn.example.org:3478', ' ');
    expect(noSecret.ok).toBe(false);
    if (!noSecret.ok) expect(noSecret.message).toMatch(/shared secret/);
    const noTurn = checkIceServers('stun:stun.example.org', 'secret');
    expect(noTurn.ok).toBe(false);
    if (!noTurn.ok) expect(noTurn.message).toMatch(/needs at least one turn:/);
    expect(checkIceServers('https://turn.example.org', '').ok).toBe(false);
  });
});

describe('the whole choice', () => {
  const choice = (patch: Partial<ServerChoice>): ServerChoice => ({ mode: 'off', join: [], host: DEFAULT_HOST_SERVER, ...patch });

  it('passes what the fields produced, and what the host would refuse is refused here in its words', () => {
    const list = checkServerList([entry({ fingerprint: FP })]);
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect(checkServerChoice(choice({ join: list.value }))).toEqual({ ok: true, value: choice({ join: list.value }) });
    expect(list.value.map(entryOf)).toEqual([entry({ fingerprint: FP })]);
    const empty = checkServerChoice(choice({}));
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.message).toMatch(/^To join a server, add its address/);
    expect(checkServerChoice(choice({ mode: 'lan' })).ok).toBe(true);
  });
});


describe('the same refusals in Russian (issue 16.1)', () => {
  const choice = (patch: Partial<ServerChoice>): ServerChoice => ({ mode: 'off', join: [], host: DEFAULT_HOST_SERVER, ...patch });
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('says each field problem in Russian, with a stable code', async () => {
    await i18n.changeLanguage('ru');
    const cases: [ServerEntry, string, RegExp][] = [
      [entry({ url: '' }), 'urlEmpty', /^Введите адрес сервера/],
      [entry({ url: 'ftp://192.168.1.20' }), 'urlScheme', /не с ftp:\/\/\.$/],
      [entry({ url: 'https://me:pw@192.168.1.20' }), 'server_url_credentials', /поле «Пароль»/],
      [entry({ fingerprint: 'AB:CD' }), 'fingerprintFormat', /64 шестнадцатеричные цифры/],
      [entry({ url: 'http://192.168.1.20:7300' }), 'server_plaintext', /^192\.168\.1\.20:7300: он использует незашифрованный http/],
    ];
    for (const [input, code, message] of cases) {
      const result = checkServerEntry(input);
      expect(result).toMatchObject({ ok: false, code });
      if (!result.ok) expect(result.message).toMatch(message);
    }
    const list = checkServerList([entry({}), entry({ url: 'https://192.168.1.20:7300' })]);
    expect(list).toMatchObject({ ok: false, code: 'twice', message: 'Сервер 2: https://192.168.1.20:7300 указан в списке дважды.' });
    expect(checkPort('80')).toMatchObject({ ok: false, code: 'port', message: expect.stringMatching(/^Выберите порт от 1024 до 65535/) });
    expect(checkIceServers('turn:turn.example.org:3478', '')).toMatchObject({ ok: false, code: 'turn_secret_missing' });
    const empty = checkServerChoice(choice({}));
    expect(empty).toMatchObject({ ok: false, code: 'join_empty', message: expect.stringMatching(/^Чтобы подключиться к серверу/) });
  });

  it('says the contract’s own refusals in Russian: every rule the schema has carries its code', async () => {
    await i18n.changeLanguage('ru');
    const plaintext = checkServerChoice(choice({ join: [{ url: 'http://10.0.0.2:7300', fingerprint: null, password: '', allowPlaintext: false }] }));
    expect(plaintext).toMatchObject({ ok: false, code: 'server_plaintext', message: expect.stringMatching(/^10\.0\.0\.2:7300: он использует/) });
    const secret = checkServerChoice(choice({ mode: 'lan', host: { ...DEFAULT_HOST_SERVER, turnSecret: 'x' } }));
    expect(secret).toMatchObject({ ok: false, code: 'turn_secret_unused', message: 'Секрету TURN нужен хотя бы один адрес turn: выше.' });
    // The mute shortcut: the English sentence stays for logs and IPC errors, the code is worded on screen.
    expect(muteShortcutProblem('M')).toMatch(/needs a modifier/);
    const issue = muteShortcutIssue('M');
    expect(issue).toEqual({ problem: 'shortcut_needs_modifier', shown: 'M' });
    expect(issue && settingsProblemText(issue.problem, { keys: issue.shown })).toMatch(/^Сочетанию для выключения микрофона «M» нужен модификатор/);
    const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, muteShortcut: 'Ctrl+Nope+M' });
    expect(parsed.success).toBe(false);
    const first = parsed.error?.issues[0];
    expect(first && settingsProblemOf(first)).toBe('shortcut_not_understood');
  });
});
