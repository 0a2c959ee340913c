import { describe, expect, it } from 'vitest';
import { i18n } from '../../../renderer/i18n';
import type { WelcomePayload } from '../../../signaling-server/protocol';
import { describeConnection } from '../../../renderer/state/connectionText';

const url = 'https://parley.example.org:7300';

describe('connection indicator', () => {
  it('shows connecting, online and reconnecting with the attempt number', () => {
    expect(describeConnection({ phase: 'connecting', url }).label).toBe('Connecting…');
    const welcome = {} as WelcomePayload;
    expect(describeConnection({ phase: 'online', url, welcome })).toMatchObject({ label: 'Online', tone: 'ok' });
    const reconnecting = describeConnection({ phase: 'reconnecting', url, attempt: 3, lastError: 'xhr poll error' });
    expect(reconnecting.label).toBe('Reconnecting (attempt 3)…');
    expect(reconnecting.detail).toContain('parley.example.org:7300');
    expect(reconnecting.detail).toContain('xhr poll error');
  });

  it('asks for the password when the server wants one', () => {
    const text = describeConnection({ phase: 'refused', url, code: 'auth_failed', message: 'password required' });
    expect(text).toMatchObject({ label: 'Password needed', tone: 'error', action: 'password', serverMessage: 'password required' });
  });

  it('says the password was wrong when one was sent, and asks again', () => {
    const refused = { phase: 'refused', url, code: 'auth_failed', message: 'bad password' } as const;
    const text = describeConnection(refused, { passwordSent: true });
    expect(text).toMatchObject({ label: 'Wrong password', action: 'password' });
    expect(text.detail).toMatch(/did not accept that password/);
  });

  it('asks to update Parley on a protocol mismatch', () => {
    const text = describeConnection({ phase: 'refused', url, code: 'protocol_mismatch', message: 'server speaks 2' });
    expect(text).toMatchObject({ label: 'Update Parley', action: 'update', serverMessage: 'server speaks 2' });
    expect(text.detail).toMatch(/Update Parley/);
  });

  it('offers a new name when the server refused the display name', () => {
    const refused = { phase: 'refused', url, code: 'invalid_identity', message: 'The displayName is not valid: too long.' } as const;
    expect(describeConnection(refused)).toMatchObject({ label: 'Name refused', action: 'rename' });
  });

  it('says plainly when the server could not check this device’s key', () => {
    const refused = { phase: 'refused', url, code: 'invalid_identity', message: 'The identity proof does not verify.' } as const;
    const text = describeConnection(refused);
    expect(text).toMatchObject({ label: 'Identity not accepted', action: 'none' });
    expect(text.detail).toMatch(/could not check this device's key/);
  });

  it('says what to do when the server limits this address, this user or this window', () => {
    const cases = [
      ['too_many_connections', 'Too many connections', /Close other Parley windows or wait a minute/],
      ['too_many_devices', 'Too many devices', /Close Parley on another device/],
      ['rate_limited', 'Slow down', /Wait a minute, then reload/],
    ] as const;
    for (const [code, label, detail] of cases) {
      const text = describeConnection({ phase: 'refused', url, code, message: 'the server says why' });
      expect(text).toMatchObject({ label, tone: 'error', serverMessage: 'the server says why' });
      expect(text.detail).toMatch(detail);
      expect(text.detail).toContain('parley.example.org:7300');
    }
  });
});

describe('a refusal in Russian (issue 16.1)', () => {
  it('shows the text for the code without the server’s English beside it', async () => {
    await i18n.changeLanguage('ru');
    try {
      const text = describeConnection({ phase: 'refused', url, code: 'auth_failed', message: 'password required' });
      expect(text.label).toBe('Нужен пароль');
      expect(text.serverMessage).toBeUndefined();
      expect(JSON.stringify(text)).not.toContain('password required');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
