/**
 * Issue 16.6: the renderer's handling of tray, notification, deep-link and shortcut
 * actions (renderer/ui/useHostEvents.ts), driven through a fake host bridge in real
 * Chromium (the hook bundled with esbuild and mounted alone, with a recording engine).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useComponentPage } from './componentPage';

const BOB = 'user-bob-0000000000000001';
const CAROL = 'user-carol-000000000000002';

const component = useComponentPage(`
        import { createRoot } from 'react-dom/client';
        import { createElement, useEffect } from 'react';
        import { useHostEvents } from './renderer/ui/useHostEvents';
        const listeners = {};
        const on = (name) => (listener) => { listeners[name] = listener; return () => { delete listeners[name]; }; };
        const record = window.__record = { handled: [], chosen: [], toasts: [], statuses: [], runErrors: [] };
        let outcome = { kind: 'done' };
        window.__setOutcome = (o) => { outcome = o; };
        const bridge = {
          onCallRequested: on('callRequested'),
          onCallAction: on('callAction'),
          onScreenSourcesRequested: on('screenSources'),
          chooseScreenSource: (choice) => record.chosen.push(choice),
        };
        const services = { bridge, toasts: { push: (t) => record.toasts.push(t) } };
        let engine = { handle: async (action) => { record.handled.push(action); return outcome; }, getView: () => ({ phase: 'idle' }) };
        const contacts = [
          { userId: '${BOB}', displayName: 'Bob', status: 'available' },
          { userId: '${CAROL}', displayName: 'Carol', status: 'offline' },
        ];
        function Probe({ withEngine }) {
          const hooks = useHostEvents(services, {
            engine: withEngine ? engine : null,
            contacts,
            setStatus: (s) => record.statuses.push(s),
            run: (action) => { Promise.resolve().then(action).catch((e) => record.runErrors.push(String(e))); },
          });
          useEffect(() => { window.__hooks = hooks; });
          return createElement('div', { id: 'state' }, JSON.stringify({ screen: hooks.screenRequest?.requestId ?? null, link: hooks.linkQuestion?.name ?? null }));
        }
        const rootNode = createRoot(document.getElementById('root'));
        window.__mount = (withEngine) => rootNode.render(createElement(Probe, { withEngine }));
        window.__unmount = () => rootNode.render(null);
        window.__emit = (name, payload) => listeners[name](payload);
      `);

interface Recorded {
  handled: unknown[];
  chosen: unknown[];
  toasts: Array<{ level: string; message: string }>;
  statuses: string[];
  runErrors: string[];
}

async function mount(withEngine = true): Promise<Page> {
  const page = await component.open();
  await page.evaluate((w) => (window as unknown as { __mount(w: boolean): void }).__mount(w), withEngine);
  await page.locator('#state').waitFor();
  return page;
}
const emit = (page: Page, name: string, payload: unknown): Promise<void> =>
  page.evaluate(([n, p]) => (window as unknown as { __emit(n: string, p: unknown): void }).__emit(n as string, p), [name, payload] as const);
const recorded = (page: Page): Promise<Recorded> => page.evaluate(() => (window as unknown as { __record: Recorded }).__record);
const state = async (page: Page): Promise<{ screen: string | null; link: string | null }> => JSON.parse(await page.locator('#state').innerText()) as never;
async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('host events in the renderer', () => {
  it('a tray call and tray/notification/shortcut actions go to the engine; the status goes to the settings', async () => {
    const page = await mount();
    await emit(page, 'callRequested', { userId: BOB, media: 'video', via: 'tray' });
    await emit(page, 'callAction', { type: 'accept', video: false });
    await emit(page, 'callAction', { type: 'toggle-mute' });
    await emit(page, 'callAction', { type: 'set-status', status: 'dnd' });
    const seen = await until(() => recorded(page), (r) => r.handled.length === 3);
    expect(seen.handled).toEqual([{ type: 'call', userId: BOB, media: 'video' }, { type: 'accept', video: false }, { type: 'toggle-mute' }]);
    expect(seen.statuses).toEqual(['dnd']);
    await page.close();
  });

  it('an action the engine refuses becomes a warning; with no engine yet a tray call says so', async () => {
    const page = await mount();
    await page.evaluate(() => (window as unknown as { __setOutcome(o: unknown): void }).__setOutcome({ kind: 'refused', message: 'Nobody is calling.' }));
    await emit(page, 'callAction', { type: 'decline' });
    expect((await until(() => recorded(page), (r) => r.toasts.length === 1)).toasts).toEqual([{ level: 'warning', message: 'Nobody is calling.' }]);
    await page.close();
    const offline = await mount(false);
    await emit(offline, 'callRequested', { userId: BOB, media: 'audio', via: 'tray' });
    const r = await recorded(offline);
    expect(r.handled).toEqual([]);
    expect(r.toasts[0]?.message).toContain('not connected yet');
    await offline.close();
  });

  it('a parley:// link only asks; yes dials what was chosen, no dials nothing, an offline contact is refused', async () => {
    const page = await mount();
    await emit(page, 'callRequested', { userId: BOB, media: 'video', via: 'link' });
    expect((await until(() => state(page), (s) => s.link !== null)).link).toBe('Bob');
    expect((await recorded(page)).handled).toEqual([]);
    await page.evaluate(() => (window as unknown as { __hooks: { answerLinkQuestion(m: string | null): void } }).__hooks.answerLinkQuestion('audio'));
    const seen = await until(() => recorded(page), (r) => r.handled.length === 1);
    expect(seen.handled).toEqual([{ type: 'dial', peer: { userId: BOB, displayName: 'Bob' }, media: 'audio' }]);
    expect((await state(page)).link).toBeNull();

    await emit(page, 'callRequested', { userId: BOB, media: 'video', via: 'link' });
    await until(() => state(page), (s) => s.link !== null);
    await page.evaluate(() => (window as unknown as { __hooks: { answerLinkQuestion(m: string | null): void } }).__hooks.answerLinkQuestion(null));
    await emit(page, 'callRequested', { userId: CAROL, media: 'audio', via: 'link' });
    await until(() => state(page), (s) => s.link === 'Carol');
    await page.evaluate(() => (window as unknown as { __hooks: { answerLinkQuestion(m: string | null): void } }).__hooks.answerLinkQuestion('audio'));
    const after = await until(() => recorded(page), (r) => r.toasts.length === 1);
    expect(after.handled).toHaveLength(1);
    expect(after.toasts[0]?.message).toBe('Carol is not online, so the call cannot ring.');
    await page.close();
  });

  it('screen-source requests open the picker; a newer one cancels the older; the answer and an unmount reach the host', async () => {
    const page = await mount();
    await emit(page, 'screenSources', { requestId: 'req-1', sources: [] });
    expect((await until(() => state(page), (s) => s.screen !== null)).screen).toBe('req-1');
    await emit(page, 'screenSources', { requestId: 'req-2', sources: [] });
    await until(() => state(page), (s) => s.screen === 'req-2');
    expect((await recorded(page)).chosen).toEqual([{ requestId: 'req-1', sourceId: null }]);
    await page.evaluate(() => (window as unknown as { __hooks: { answerScreenRequest(id: string | null): void } }).__hooks.answerScreenRequest('screen:0:0'));
    expect((await until(() => state(page), (s) => s.screen === null)).screen).toBeNull();
    await emit(page, 'screenSources', { requestId: 'req-3', sources: [] });
    await until(() => state(page), (s) => s.screen === 'req-3');
    await page.evaluate(() => (window as unknown as { __unmount(): void }).__unmount());
    const chosen = (await until(() => recorded(page), (r) => r.chosen.length === 3)).chosen;
    expect(chosen).toEqual([
      { requestId: 'req-1', sourceId: null },
      { requestId: 'req-2', sourceId: 'screen:0:0' },
      { requestId: 'req-3', sourceId: null },
    ]);
    expect((await recorded(page)).runErrors).toEqual([]);
    await page.close();
  });
});
