import { ciFixtureReport, NASTY_REASON } from '../../../../test/support/run-report.fixture';
import { parseXml, type XmlNode as Node } from '../../../../test/support/xml-parse';
import { runJunit, xmlAttr, xmlText } from './junit.format';

const visibleNasty = NASTY_REASON.replace('\u0001', '\\u{0001}')
  .replace('\u001b', '\\u{001B}')
  .replace('\uFFFF', '\\u{FFFF}');

describe('reconcile --format junit', () => {
  const xml = runJunit(ciFixtureReport());
  const root = parseXml(xml);
  const suites = root.children.filter((c) => c.tag === 'testsuite');
  const suite = (name: string) => suites.find((s) => s.attrs.name.startsWith(name))!;
  const cases = (s: Node) => s.children.filter((c) => c.tag === 'testcase');

  it('is well-formed XML 1.0 with one suite per control, then the sources', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.tag).toBe('testsuites');
    expect(suites.map((s) => s.attrs.name)).toEqual([
      'RM-CHG-001 Unlinked production deployment',
      'RM-ACC-003 Standing privileged access',
      'RM-SOD-001 Self-approval',
      'RM-SOD-003 Author deployed own change',
      'audit-hub sources',
    ]);
    expect(root.attrs).toMatchObject({ tests: '11', failures: '2', errors: '1', skipped: '5', time: '210' });
  });

  it('has a testcase per control result and per finding: open ones fail with reason and subject ref', () => {
    const chg = suite('RM-CHG-001');
    expect(chg.attrs).toMatchObject({ id: 'RM-CHG-001', tests: '4', failures: '2', skipped: '0' });
    const props = chg.children.find((c) => c.tag === 'properties')!.children;
    expect(Object.fromEntries(props.map((p) => [p.attrs.name, p.attrs.value]))).toMatchObject({
      status: 'evaluated',
      severity: 'high',
      frameworks: expect.stringContaining('SOX:ITGC-CM'),
    });
    const [result, open, reopened, resolved] = cases(chg);
    expect(result.attrs).toMatchObject({ classname: 'RM-CHG-001', name: 'RM-CHG-001 control result' });
    expect(result.children).toEqual([]);
    expect(open.attrs.name).toBe('gitlab:acme/payments-api#1042');
    const failure = open.children[0];
    expect(failure.tag).toBe('failure');
    expect(failure.attrs.type).toBe('high');
    // Markup, `]]>`, quotes, tab and line break survive; characters XML cannot carry are shown.
    expect(failure.attrs.message).toBe(visibleNasty);
    expect(failure.text).toContain(`reason: ${visibleNasty}`);
    expect(failure.text).toContain('key: RM-CHG-001|gitlab:acme/payments-api#1042');
    expect(failure.text).toContain('subject: deployment gitlab:acme/payments-api#1042');
    expect(failure.text).toContain('related: change servicenow:CHG0030042');
    expect(failure.text).toContain('ticket: SEC-12 https://acme.atlassian.net/browse/SEC-12');
    expect(reopened.children[0]).toMatchObject({ tag: 'failure', attrs: { type: 'critical' } });
    expect(resolved.attrs.name).toBe('gitlab:acme/web#7');
    expect(resolved.children).toEqual([]);
  });

  it('skips partial, not evaluated and disabled controls with the reason, and accepted findings', () => {
    const [result, accepted] = cases(suite('RM-ACC-003'));
    expect(result.children[0]).toMatchObject({
      tag: 'skipped',
      attrs: { message: 'partial: vault/entitlements was partial' },
    });
    expect(result.children[0].text).toContain('undecided: vault:alice:prod-db — policy prod-db unreadable');
    expect(accepted.children[0]).toMatchObject({
      tag: 'skipped',
      attrs: { message: 'accepted under an exception: Service accounts are rotated by CPM' },
    });
    expect(cases(suite('RM-SOD-001'))[0].children[0].attrs.message).toBe(
      'not_evaluated: jenkins/deployments failed',
    );
    expect(cases(suite('RM-SOD-003'))[0].children[0].attrs.message).toBe('disabled: off in config');
  });

  it('reports a failed source as an error and a partial one as skipped', () => {
    const [complete, partial, failed] = cases(suite('audit-hub sources'));
    expect(complete.children).toEqual([]);
    expect(partial.children[0].attrs.message).toBe('partial: policy prod-db: permission denied');
    expect(failed.children[0]).toMatchObject({ tag: 'error', attrs: { message: 'HTTP 503 <html>' } });
  });

  it('escapes every character XML gives meaning to, and nothing else', () => {
    expect(xmlText('a<b>&c]]>')).toBe('a&lt;b&gt;&amp;c]]&gt;');
    expect(xmlAttr(`"x"\n'y'\t`)).toBe('&quot;x&quot;&#10;&apos;y&apos;&#9;');
    expect(xmlText('\u0000\u0008\u000B\uD800x\uDC00')).toBe('\\u{0000}\\u{0008}\\u{000B}\\u{D800}x\\u{DC00}');
    expect(xmlText('\u{1F680} é \u0085')).toBe('\u{1F680} é \u0085');
  });
});
