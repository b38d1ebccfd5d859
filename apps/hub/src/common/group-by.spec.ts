import { groupBy, pushTo } from './group-by';

describe('groupBy / pushTo', () => {
  it('keeps order within each group and appends to existing groups', () => {
    const g = groupBy([1, 2, 3, 4, 5], (n) => n % 2);
    expect([...g.entries()]).toEqual([
      [1, [1, 3, 5]],
      [0, [2, 4]],
    ]);
    pushTo(g, 0, 6);
    pushTo(g, 7, 7);
    expect(g.get(0)).toEqual([2, 4, 6]);
    expect(g.get(7)).toEqual([7]);
  });
});
