import { ExceptionMatcher, subjectGlob } from './exception.matcher';

describe('subjectGlob', () => {
  it('matches the whole ref with * spanning / and :', () => {
    const re = subjectGlob('cyberark:svc-*');
    expect(re.test('cyberark:svc-deploy:PROD-payments')).toBe(true);
    expect(re.test('xcyberark:svc-deploy')).toBe(false);
    expect(subjectGlob('gitlab:acme/*#1').test('gitlab:acme/a/b#1')).toBe(true);
  });

  it('is case-sensitive and treats regex characters literally', () => {
    expect(subjectGlob('gitlab:Acme/x').test('gitlab:acme/x')).toBe(false);
    expect(subjectGlob('gitlab:a.b#1').test('gitlab:aXb#1')).toBe(false);
    expect(subjectGlob('gitlab:a.b#(1)').test('gitlab:a.b#(1)')).toBe(true);
  });
});

describe('ExceptionMatcher', () => {
  const rule = {
    control: 'RM-CHG-001',
    subject: 'gitlab:acme/*',
    reason: 'migration',
    requestedBy: 'ops@acme.com',
    approvedBy: 'ciso@acme.com',
    expires: '2026-03-31',
  };
  const m = new ExceptionMatcher([rule]);

  it('covers through the end of the expiry day, UTC', () => {
    expect(m.covering('RM-CHG-001', 'gitlab:acme/x#1', new Date('2026-03-31T23:59:59Z'))).toMatchObject({
      approvedBy: 'ciso@acme.com',
    });
    expect(m.covering('RM-CHG-001', 'gitlab:acme/x#1', new Date('2026-04-01T00:00:00Z'))).toBeUndefined();
  });

  it('covers only its own control', () => {
    expect(m.covering('RM-CHG-002', 'gitlab:acme/x#1', new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});
