/** What the call's lock badge says (ui/call/E2eeBadge.tsx badgeText), mesh and SFU. */
import { describe, expect, it } from 'vitest';
import { badgeText } from '../../../renderer/ui/call/E2eeBadge';
import type { CallE2eeStatus } from '../../../renderer/call/e2ee/callE2ee';
import { emptyCounts } from '../../../renderer/call/e2ee/frameCrypto';
import { i18n } from '../../../renderer/i18n';

const participant = (unverified = false) => ({ unverified }) as never;

function status(state: CallE2eeStatus['state'], reason: CallE2eeStatus['reason'] = null, waitingFor: string[] = [], unopenedReceivers = 0): CallE2eeStatus {
  return {
    callId: 'c1',
    state,
    reason,
    unopenedReceivers,
    mode: reason === 'unavailable' ? null : 'script-transform',
    keys: { keysComplete: state === 'encrypted', waitingFor, refused: reason === 'refused_key' ? ['d9'] : [], sendKeyId: 0 },
    frames: emptyCounts(),
  };
}

describe('the end-to-end encryption badge', () => {
  it('a mesh call is encrypted (verified DTLS-SRTP) and says when a link failed its check', () => {
    expect(badgeText({ participants: [participant()] }, null)).toEqual({ level: 'encrypted', label: 'e2ee.encrypted', tip: { key: 'e2ee.meshTip' } });
    expect(badgeText({ participants: [participant(true)] }, null).tip).toEqual({ key: 'e2ee.meshUnverifiedTip' });
  });

  it('an SFU call is encrypted only when its E2EE says so, and never silently otherwise', () => {
    const sfu = { topology: 'sfu' as const, participants: [participant()] };
    expect(badgeText(sfu, null)).toMatchObject({ level: 'not_encrypted', tip: { key: 'e2ee.sfuNotStartedTip' } });
    expect(badgeText(sfu, status('encrypted'))).toMatchObject({ level: 'encrypted', tip: { key: 'e2ee.sfuTip' } });
    expect(badgeText(sfu, status('pending', null, ['a', 'b']))).toMatchObject({ level: 'pending', tip: { key: 'e2ee.sfuPendingTip', count: 2 } });
    expect(badgeText(sfu, status('not_encrypted', 'unavailable'))).toMatchObject({ level: 'not_encrypted', tip: { key: 'e2ee.sfuUnavailableTip' } });
    expect(badgeText(sfu, status('not_encrypted', 'refused_key'))).toMatchObject({ level: 'not_encrypted', tip: { key: 'e2ee.sfuRefusedTip' } });
    expect(badgeText(sfu, status('not_encrypted', 'unsealed'))).toMatchObject({ level: 'not_encrypted', tip: { key: 'e2ee.sfuUnsealedTip' } });
  });

  it('says when video from the media server cannot be decrypted here, without calling the call unencrypted', () => {
    const sfu = { topology: 'sfu' as const, participants: [participant()] };
    const cannot = { level: 'pending', label: 'e2ee.cannotDecrypt', tip: { key: 'e2ee.sfuUnopenedTip' } };
    expect(badgeText(sfu, status('encrypted', null, [], 1))).toEqual(cannot);
    expect(badgeText(sfu, status('pending', null, ['a'], 2))).toEqual(cannot);
    // A reason the call is not encrypted (frames leaving unsealed) says more, and wins.
    expect(badgeText(sfu, status('not_encrypted', 'unsealed', [], 1))).toMatchObject({ level: 'not_encrypted', tip: { key: 'e2ee.sfuUnsealedTip' } });
  });

  it('has its words in English and Russian, plurals included', async () => {
    for (const language of ['en', 'ru']) {
      await i18n.changeLanguage(language);
      for (const count of [1, 3, 5]) {
        const text = i18n.t('e2ee.sfuPendingTip', { count });
        expect(text).toContain(String(count));
        expect(text).not.toContain('e2ee.');
      }
      expect(i18n.t('e2ee.notEncrypted')).not.toContain('e2ee.');
      for (const key of ['e2ee.cannotDecrypt', 'e2ee.sfuUnopenedTip'] as const) {
        const text = i18n.t(key);
        expect(text).not.toContain('e2ee.');
        expect(/[а-яё]/i.test(text)).toBe(language === 'ru');
      }
    }
    await i18n.changeLanguage('en');
  });
});
