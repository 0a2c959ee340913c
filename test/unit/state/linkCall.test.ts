import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../../../renderer/i18n';
import type { Contact } from '../../../renderer/state/contacts';
import { linkCallObstacle, linkCallQuestion, unknownPerson } from '../../../renderer/state/linkCall';

const ALICE: Contact = { userId: 'user-alice-0001', displayName: 'Alice', status: 'available', favourite: false, inBook: true, verified: false, keyChanged: false };
const OLGA: Contact = { userId: 'user-olga-00001', displayName: 'Olga', status: 'offline', favourite: true, inBook: true, verified: false, keyChanged: false };

describe('the question a parley:// link asks', () => {
  it('names a known contact with their id, and asks before anything dials', () => {
    const q = linkCallQuestion({ userId: ALICE.userId, media: 'audio' }, [ALICE]);
    expect(q).toMatchObject({ userId: ALICE.userId, name: 'Alice', known: true, title: 'Call Alice?' });
    expect(q.description).toContain(ALICE.userId);
    expect(q.description).toContain('Nothing is dialled until you choose');
  });

  it('calls someone it does not know "Unknown person" and shows the id', () => {
    const q = linkCallQuestion({ userId: 'user-stranger-1', media: 'audio' }, [ALICE]);
    expect(q).toMatchObject({ name: 'Unknown person', known: false, title: 'Call Unknown person?' });
    expect(unknownPerson()).toBe('Unknown person');
    expect(q.description).toContain('not in your contacts (id user-stranger-1)');
  });

  it('says when the link asked for video, and that audio is offered first', () => {
    const q = linkCallQuestion({ userId: ALICE.userId, media: 'video' }, [ALICE]);
    expect(q.linkMedia).toBe('video');
    expect(q.description).toContain('asks for a video call; audio is offered first');
  });
});

describe('whether a confirmed link call may start', () => {
  const q = (c: Contact) => linkCallQuestion({ userId: c.userId, media: 'audio' }, [c]);

  it('starts for a contact online, or for an unknown id (the server says whether they are there)', () => {
    expect(linkCallObstacle(q(ALICE), [ALICE], 'idle')).toBeNull();
    expect(linkCallObstacle(linkCallQuestion({ userId: 'user-stranger-1', media: 'audio' }, []), [], 'ended')).toBeNull();
  });

  it('does not start beside a call under way, nor to a contact who went offline meanwhile', () => {
    expect(linkCallObstacle(q(ALICE), [ALICE], 'other')).toBe('Finish the current call before starting another one.');
    expect(linkCallObstacle(q(OLGA), [OLGA], 'idle')).toBe('Olga is not online, so the call cannot ring.');
  });
});

describe('the link question in Russian (issue 16.1)', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('asks, names and refuses in Russian', async () => {
    await i18n.changeLanguage('ru');
    const known = linkCallQuestion({ userId: ALICE.userId, media: 'video' }, [ALICE]);
    expect(known.title).toBe('Позвонить: Alice?');
    expect(known.description).toBe(
      `Ссылка, открытая в другом приложении или на веб-странице, хочет позвонить: Alice (ID ${ALICE.userId}). Ничего не набирается, пока вы не решите. Ссылка просит видеозвонок; сначала предлагается звонок без видео.`,
    );
    const stranger = linkCallQuestion({ userId: 'user-stranger-1', media: 'audio' }, []);
    expect(stranger).toMatchObject({ name: 'Неизвестный человек', title: 'Позвонить: Неизвестный человек?' });
    expect(stranger.description).toContain('которого нет в ваших контактах (ID user-stranger-1)');
    expect(linkCallObstacle(known, [ALICE], 'other')).toBe('Сначала завершите текущий звонок, потом начинайте другой.');
    expect(linkCallObstacle(linkCallQuestion({ userId: OLGA.userId, media: 'audio' }, [OLGA]), [OLGA], 'idle')).toBe(
      'Olga не в сети, поэтому звонок не пройдёт.',
    );
  });
});
