import { parseReportOptions, parseSignOptions, ReportCommand } from './report.command';

describe('report command options', () => {
  let stderr: jest.SpyInstance;
  let exitCode: typeof process.exitCode;

  beforeEach(() => {
    exitCode = process.exitCode;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    process.exitCode = exitCode;
    stderr.mockRestore();
  });

  it.each([
    [{ to: '2026-10-31' }, '--from: required'],
    [{ from: '2026-10-01' }, '--to: required'],
    [{ from: '2026-10-32', to: '2026-10-31' }, '--from: "2026-10-32" is not a date written YYYY-MM-DD'],
    [{ from: '2026-10-01', to: '31/10/2026' }, '--to: "31/10/2026" is not a date written YYYY-MM-DD'],
    [{ from: '2026-11-01', to: '2026-10-31' }, '--from 2026-11-01 is after --to 2026-10-31'],
    [
      { from: '2026-10-01', to: '2026-10-31', format: 'xlsx' },
      '--format: must be one of html, pdf, json, csv, oscal',
    ],
    [{ from: '2026-10-01', to: '2026-10-31', asOf: 'last week' }, '--as-of: "last week"'],
  ])('exits 2 before connecting anything: %j', async (opts, message) => {
    // A config that does not exist would be exit 2 too, but with another message: this proves
    // the options are refused before the config is even read.
    await new ReportCommand().run([], { ...opts, config: '/nonexistent/audit-hub.yaml' });
    expect(process.exitCode).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining(message));
  });

  it('parses good options', () => {
    expect(
      parseReportOptions({
        from: '2026-10-01',
        to: '2026-10-31',
        format: 'pdf',
        redact: true,
        asOf: '2026-11-01',
      }),
    ).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
      format: 'pdf',
      redact: true,
      asOf: new Date('2026-11-01T23:59:59.999Z'),
    });
  });
});

describe('report --sign options', () => {
  let stderr: jest.SpyInstance;
  let exitCode: typeof process.exitCode;
  beforeEach(() => {
    exitCode = process.exitCode;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    process.exitCode = exitCode;
    stderr.mockRestore();
  });

  it.each([
    [{ sign: 'q4.pdf', role: 'CISO' }, '--reviewer: required with --sign'],
    [{ sign: 'q4.pdf', reviewer: 'Dana' }, '--role: required with --sign'],
    [{ reviewer: 'Dana', role: 'CISO' }, '--sign: a report file or report id is required'],
    [{ sign: 'q4.pdf', reviewer: 'Dana', role: 'CISO', format: 'pdf' }, '--format and --output do not apply'],
    [
      { sign: 'q4.pdf', reviewer: 'Dana', role: 'CISO', reviewedOn: '5/11/2026' },
      '--reviewed-on: "5/11/2026"',
    ],
    [
      { sign: 'a'.repeat(64), reviewer: 'Dana', role: 'CISO', from: '2026-10-01', to: '2026-10-31' },
      'needs the --as-of',
    ],
  ])('exits 2 before connecting anything: %j', async (opts, message) => {
    await new ReportCommand().run([], { ...opts, config: '/nonexistent/audit-hub.yaml' });
    expect(process.exitCode).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining(message));
  });

  it('parses a sign-off of a file, and of a report id with its parameters', () => {
    expect(
      parseSignOptions({ sign: 'q4.pdf', reviewer: ' Dana ', role: 'CISO', reviewedOn: '2026-11-05' }),
    ).toEqual({
      target: 'q4.pdf',
      reviewer: 'Dana',
      role: 'CISO',
      reviewedOn: '2026-11-05',
    });
    expect(
      parseSignOptions({
        sign: 'a'.repeat(64),
        reviewer: 'Dana',
        role: 'CISO',
        from: '2026-10-01',
        to: '2026-10-31',
        asOf: '2026-11-02',
      }),
    ).toMatchObject({ target: 'a'.repeat(64), asOf: new Date('2026-11-02T23:59:59.999Z'), redact: false });
  });
});
