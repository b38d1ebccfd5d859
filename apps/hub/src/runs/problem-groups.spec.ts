import { addProblems, incompleteKinds, problemCount, PROBLEM_EXAMPLES } from './problem-groups';

describe('problem groups', () => {
  const forbidden = (i: number) => ({
    where: `deployment ${i} pipeline variables`,
    error: '403 Forbidden',
    code: 'pipeline-variables-forbidden',
    kinds: [],
    lasting: true,
    fix: 'give the token the Maintainer role',
  });

  it('keeps one entry per kind of problem, with a count, the first places and the fix', () => {
    const groups = addProblems(
      [],
      Array.from({ length: 1204 }, (_, i) => forbidden(i + 1)),
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      count: 1204,
      code: 'pipeline-variables-forbidden',
      lasting: true,
      kinds: [],
    });
    expect(groups[0].examples).toHaveLength(PROBLEM_EXAMPLES);
    expect(groups[0].message).toBe(
      '403 Forbidden — 1,204 times (first: deployment 1 pipeline variables, deployment 2 pipeline variables, deployment 3 pipeline variables, deployment 4 pipeline variables, deployment 5 pipeline variables, …); fix: give the token the Maintainer role',
    );
  });

  it('a single problem reads as before: where, then why', () => {
    const [g] = addProblems([], [{ where: 'GET /projects/12/deployments page 3', error: 'HTTP 503' }]);
    expect(g.message).toBe('GET /projects/12/deployments page 3: HTTP 503');
    expect(g.count).toBe(1);
  });

  it('groups by code, else by error text, and apart when they leave different kinds incomplete', () => {
    const groups = addProblems(
      [],
      [
        { where: 'page 1', error: 'HTTP 503' },
        { where: 'page 2', error: 'HTTP 503' },
        { where: 'page 3', error: 'HTTP 502' },
        { where: 'deployment 7 MRs', error: 'HTTP 503', kinds: ['deployment-mr'] },
        { where: 'deployment 8', error: 'a', code: 'x' },
        { where: 'deployment 9', error: 'b', code: 'x' },
      ],
    );
    expect(groups.map((g) => [g.error, g.count])).toEqual([
      ['HTTP 503', 2],
      ['HTTP 502', 1],
      ['HTTP 503', 1],
      ['a', 2],
    ]);
    expect(problemCount(groups)).toBe(6);
  });

  it('adds to what a resumed job stored, including entries stored before grouping existed', () => {
    const stored = [{ message: 'page 1: HTTP 503', where: 'page 1' }];
    const groups = addProblems(stored, [{ where: 'page 2', error: 'HTTP 503' }]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 2, examples: ['page 1', 'page 2'], error: 'HTTP 503' });
    expect(stored).toEqual([{ message: 'page 1: HTTP 503', where: 'page 1' }]);
  });

  it('the kinds left incomplete: those named, none for `[]`, all when one names none', () => {
    expect(incompleteKinds(addProblems([], [forbidden(1)]))).toEqual([]);
    expect(incompleteKinds(addProblems([], [{ where: 'a', error: 'e', kinds: ['commit'] }]))).toEqual([
      'commit',
    ]);
    expect(
      incompleteKinds(addProblems([], [forbidden(1), { where: 'page 2', error: 'HTTP 503' }])),
    ).toBeUndefined();
  });
});
