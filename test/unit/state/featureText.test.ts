/** What transfer rows and the statistics overlay say. */
import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../../../renderer/i18n';
import type { StatsDigest, TransferView } from '../../../renderer/call/featureTypes';
import { statsLines } from '../../../renderer/state/statsText';
import { transferActive, transferPeerText, transferPercent, transferStatusText } from '../../../renderer/state/transferText';

function transfer(patch: Partial<TransferView>): TransferView {
  return {
    id: 'transfer-0001',
    key: 'device-bob-01:transfer-0001',
    direction: 'out',
    name: 'plan.pdf',
    size: 2 * 1024 * 1024,
    mime: 'application/pdf',
    bytes: 512 * 1024,
    status: 'sending',
    problem: null,
    peer: { deviceId: 'device-bob-01', userId: 'user-bob-0001', displayName: 'Bob' },
    blob: null,
    savedPath: null,
    saveName: 'plan.pdf',
    ...patch,
  };
}

describe('transfer wording in Russian (issue 16.1)', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('says progress, sizes and problems in Russian', async () => {
    await i18n.changeLanguage('ru');
    expect(transferPeerText(transfer({}))).toBe('Кому: Bob');
    expect(transferPeerText(transfer({ direction: 'in' }))).toBe('От кого: Bob');
    expect(transferStatusText(transfer({}))).toBe('Отправка… 25 %');
    expect(transferStatusText(transfer({ direction: 'in', status: 'offered', size: 1_500_000 }))).toBe(
      'Bob хочет отправить вам этот файл (1,4 МБ). Ничего не скачивается, пока вы не примете его.',
    );
    expect(transferStatusText(transfer({ status: 'rejected', problem: { kind: 'too_large', limit: 1024 * 1024 } }))).toBe(
      'Собеседник (Bob) принимает файлы не больше 1 МБ, а этот весит 2 МБ. Файл не отправлен.',
    );
    expect(transferStatusText(transfer({ status: 'cancelled', problem: { kind: 'cancelled', by: 'me' } }))).toBe('Вы отменили передачу');
    expect(transferStatusText(transfer({ direction: 'in', status: 'done', savedPath: null }))).toBe('Получено, контрольная сумма совпала');
  });
});

describe('transfer wording', () => {
  it('shows progress while moving, and can be cancelled only then', () => {
    expect(transferStatusText(transfer({}))).toBe('Sending… 25 %');
    expect(transferPercent(transfer({ size: 0, bytes: 0 }))).toBe(100);
    expect(transferActive(transfer({ status: 'receiving' }))).toBe(true);
    expect(transferActive(transfer({ status: 'done' }))).toBe(false);
  });

  it('names the limit on both sides when a file is too large', () => {
    expect(transferStatusText(transfer({ status: 'rejected', problem: { kind: 'too_large', limit: 1024 * 1024 } }))).toBe(
      'Bob accepts files up to 1 MB; this one is 2 MB. It was not sent.',
    );
    expect(
      transferStatusText(transfer({ direction: 'in', status: 'rejected', problem: { kind: 'too_large', limit: 1024 * 1024 } })),
    ).toBe('Bob tried to send this file (2 MB), but your limit is 1 MB. Raise it in Settings → Files to receive it.');
  });

  it('says a damaged file was discarded and what to do', () => {
    expect(transferStatusText(transfer({ direction: 'in', status: 'failed', problem: { kind: 'checksum' } }))).toBe(
      'The file arrived damaged (its SHA-256 checksum does not match) and was discarded. Ask Bob to send it again.',
    );
    expect(transferStatusText(transfer({ status: 'cancelled', problem: { kind: 'cancelled', by: 'peer' } }))).toBe('Bob cancelled it');
  });
});

describe('statistics overlay', () => {
  it('writes every figure with its unit, and a dash for what is not known', () => {
    const digest: StatsDigest = {
      rttMs: 41.6,
      lossInPct: 0.25,
      lossOutPct: null,
      jitterMs: 3.2,
      kbpsIn: 1534,
      kbpsOut: 88.4,
      videoIn: { width: 640, height: 480, fps: 15 },
      videoOut: null,
      codecs: ['VP8', 'opus'],
      route: { localType: 'relay', remoteType: 'host', relayed: true },
      quality: 'good',
    };
    expect(Object.fromEntries(statsLines(digest).map((l) => [l.label, l.value]))).toEqual({
      'Round trip': '42 ms',
      'Packet loss': '0.3 % in · — out',
      Jitter: '3 ms',
      'Bitrate in': '1.53 Mbit/s',
      'Bitrate out': '88 kbit/s',
      'Video in': '640×480 @ 15 fps',
      'Video out': '—',
      Codecs: 'VP8, opus',
      Route: 'Relayed (TURN relay ↔ host)',
    });
  });
});
