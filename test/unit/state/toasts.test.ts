import { describe, expect, it } from 'vitest';
import { createToastStore } from '../../../renderer/state/toasts';

/** Timers the test advances by hand, so nothing depends on the clock. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: ((fn: () => void) => {
      const id = next++;
      pending.set(id, fn);
      return id;
    }) as unknown as typeof setTimeout,
    clearTimeout: ((id: number) => void pending.delete(id)) as unknown as typeof clearTimeout,
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      due.forEach((fn) => fn());
    },
  };
}

describe('toasts', () => {
  it('shows a notice until it expires or is dismissed', () => {
    const timers = manualTimers();
    const store = createToastStore(timers);
    const first = store.push({ level: 'info', message: 'Saved' });
    store.push({ level: 'error', message: 'Could not save' });
    expect(store.getSnapshot().map((t) => t.message)).toEqual(['Saved', 'Could not save']);
    store.dismiss(first);
    expect(store.getSnapshot().map((t) => t.message)).toEqual(['Could not save']);
    timers.fireAll();
    expect(store.getSnapshot()).toEqual([]);
  });

  it('shows the same message once, however often it is raised', () => {
    const store = createToastStore(manualTimers());
    store.push({ level: 'warning', message: 'Reconnecting' });
    store.push({ level: 'warning', message: 'Reconnecting' });
    expect(store.getSnapshot()).toHaveLength(1);
  });
});
