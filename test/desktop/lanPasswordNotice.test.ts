/** The notice that gives a new LAN password to the person hosting: their language, the password and port intact. */
import { describe, expect, it } from 'vitest';
import { mainText } from '../../main/i18n';
import { lanPasswordNotice } from '../../main/server/serverAccess';

describe('lanPasswordNotice', () => {
  it('is English by default and Russian in a Russian UI, with the port and password as given', () => {
    expect(lanPasswordNotice('kite-42-amber', 47800)).toBe(
      'Your Parley server now accepts people on your network (port 47800) who give this password: kite-42-amber — share it with them. You can change it in Settings → Server.',
    );
    const russian = lanPasswordNotice('kite-42-amber', 47800, mainText('ru'));
    expect(russian).toContain('порт 47800');
    expect(russian).toContain('kite-42-amber');
    expect(russian).toMatch(/^Ваш сервер Parley/);
  });
});
