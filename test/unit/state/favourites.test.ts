import { describe, expect, it } from 'vitest';
import { refreshFavouriteNames, toggleFavourite } from '../../../renderer/state/favourites';

const bob = { userId: 'bob-00000001', displayName: 'Bob' };
const carol = { userId: 'carol-000001', displayName: 'Carol' };

describe('favourites', () => {
  it('toggling adds a person at the end, and toggling again removes them', () => {
    const added = toggleFavourite([bob], carol);
    expect(added).toEqual([bob, carol]);
    expect(toggleFavourite(added, bob)).toEqual([carol]);
  });

  it('keeps stored names in step with the names people use now', () => {
    const list = [bob, carol];
    const online = new Map([[bob.userId, { displayName: 'Robert' }]]);
    expect(refreshFavouriteNames(list, online)).toEqual([{ ...bob, displayName: 'Robert' }, carol]);
    expect(refreshFavouriteNames(list, new Map([[bob.userId, { displayName: 'Bob' }]]))).toBe(list);
  });
});
