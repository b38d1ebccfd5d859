import { controlOutcome } from './control-results.service';

describe('controlOutcome', () => {
  it('reads a control result as a compliance lead does', () => {
    expect(controlOutcome(undefined)).toBe('not_run');
    expect(controlOutcome({ status: 'disabled', open: 0 })).toBe('disabled');
    // Unevaluated controls keep their open findings open: still not evaluated, not failing.
    expect(controlOutcome({ status: 'not_evaluated', open: 4 })).toBe('not_evaluated');
    expect(controlOutcome({ status: 'evaluated', open: 1 })).toBe('failing');
    expect(controlOutcome({ status: 'partial', open: 2 })).toBe('failing');
    expect(controlOutcome({ status: 'partial', open: 0 })).toBe('partial');
    expect(controlOutcome({ status: 'evaluated', open: 0 })).toBe('passing');
  });
});
