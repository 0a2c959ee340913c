/**
 * Issue 16.8: a piece of the UI loaded on demand (renderer/ui/LazyPiece.tsx: Add a
 * contact, the safety number dialog) whose chunk fails to load, in real Chromium,
 * rendered alone: nothing shows while it loads; the failure is logged (scope
 * ui.lazy) and handed to the owner, which closes it and says why; the rest of the
 * window stays, and another lazy piece shows.
 */
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../preload/contract';
import { useComponentPage } from './componentPage';

const component = useComponentPage(`
        import { createRoot } from 'react-dom/client';
        import { createElement as h, lazy, useState } from 'react';
        import { LazyPiece } from './renderer/ui/LazyPiece';
        import { setLogSink } from './renderer/log';
        window.__lines = [];
        setLogSink((entry) => window.__lines.push(entry));
        let failChunk = () => undefined;
        const Broken = lazy(() => new Promise((_, reject) => { failChunk = reject; }));
        const Fine = lazy(async () => ({ default: () => h('p', { id: 'fine' }, 'fine piece') }));
        window.__failChunk = (message) => failChunk(new Error(message));
        function Window() {
          const [open, setOpen] = useState(true);
          const [said, setSaid] = useState(null);
          return h('main', null,
            h('p', { id: 'window' }, 'the window'),
            open && h(LazyPiece, { what: 'the broken dialog', onFailed: (error) => { setOpen(false); setSaid(error.message); } }, h(Broken)),
            said && h('p', { role: 'alert' }, said),
            h(LazyPiece, { what: 'the fine piece', onFailed: () => undefined }, h(Fine)));
        }
        createRoot(document.getElementById('root')).render(h(Window));`);

describe('a lazily loaded piece of the UI', () => {
  it('that fails to load is logged, closed and said; the window and other pieces stay', async () => {
    const page = await component.open();
    await page.locator('#fine').waitFor();
    expect(await page.locator('#window').innerText()).toBe('the window');
    expect(await page.getByRole('alert').count()).toBe(0);

    const CHUNK_ERROR = 'Failed to fetch dynamically imported module: app://parley/assets/AddContactDialog-1234.js';
    await page.evaluate((message) => (window as unknown as { __failChunk(m: string): void }).__failChunk(message), CHUNK_ERROR);

    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe(CHUNK_ERROR);
    expect(await page.locator('#window').innerText()).toBe('the window');
    expect(await page.locator('#fine').innerText()).toBe('fine piece');
    const lines = await page.evaluate(() => (window as unknown as { __lines: LogEntry[] }).__lines);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', scope: expect.stringContaining('ui.lazy'), message: expect.stringContaining('the broken dialog could not be shown') }),
    );
    await page.close();
  });
});
