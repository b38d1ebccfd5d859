import { BadRequestException } from '@nestjs/common';
import { ApiValidationPipe } from './api-validation.pipe';
import { FindingsQueryDto } from './dto/findings-query.dto';
import { EmptyBodyDto, RequestExceptionDto } from './dto/exceptions.dto';

const pipe = new ApiValidationPipe();
const message = async (value: unknown, metatype: any, type: 'query' | 'body') => {
  const err = await pipe.transform(value, { type, metatype }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadRequestException);
  return ((err as BadRequestException).getResponse() as { message: string }).message;
};

describe('ApiValidationPipe', () => {
  it('refuses unknown query parameters, listing the allowed ones', async () => {
    expect(await message({ status: 'open', orderBy: 'reason' }, FindingsQueryDto, 'query')).toBe(
      'query parameter "orderBy" is not allowed (allowed: asOf, control, cursor, framework, limit, service, severity, sort, status, team)',
    );
  });

  it('names the parameter, what it must be and what was sent', async () => {
    expect(await message({ sort: 'reason' }, FindingsQueryDto, 'query')).toBe(
      'query parameter sort: must be one of severity, key, control, firstSeenAt, lastSeenAt, optionally prefixed with - (got "reason")',
    );
    expect(await message({ limit: '0' }, FindingsQueryDto, 'query')).toBe(
      'query parameter limit: must be a whole number from 1 to 500 (got 0)',
    );
    expect(await message({ severity: 'high,urgent' }, FindingsQueryDto, 'query')).toMatch(
      /^query parameter severity: must be one of critical, high, medium, low/,
    );
    expect(await message({ framework: 'NIST:AC-2' }, FindingsQueryDto, 'query')).toMatch(
      /^query parameter framework: must be a framework family \(SOX, PCI-DSS-4.0/,
    );
    expect(await message({ asOf: 'yesterday' }, FindingsQueryDto, 'query')).toMatch(
      /^query parameter asOf: must be a date YYYY-MM-DD or an ISO-8601 instant/,
    );
  });

  it('refuses unknown body fields and takes an absent body as empty', async () => {
    const body = {
      control: 'RM-ACC-003',
      subject: 'x:*',
      reason: 'r',
      expires: '2030-01-01',
      approvedBy: 'me',
    };
    expect(await message(body, RequestExceptionDto, 'body')).toBe(
      'body field "approvedBy" is not allowed (allowed: control, expires, reason, subject)',
    );
    expect(await message({ force: true }, EmptyBodyDto, 'body')).toBe(
      'body field "force" is not allowed (this request takes none)',
    );
    await expect(pipe.transform(undefined, { type: 'body', metatype: EmptyBodyDto })).resolves.toEqual({});
    expect(await message([1], EmptyBodyDto, 'body')).toBe('the request body must be a JSON object');
  });

  it('passes valid values through, typed', async () => {
    const q = (await pipe.transform(
      {
        status: 'open,reopened',
        limit: '25',
        asOf: '2026-11-02',
        sort: '-lastSeenAt',
        framework: 'SOX:ITGC-CM',
      },
      { type: 'query', metatype: FindingsQueryDto },
    )) as FindingsQueryDto;
    expect(q).toBeInstanceOf(FindingsQueryDto);
    expect(q.limit).toBe(25);
  });

  it('refuses prototype keys and too deep a value by name, before Nest or class-transformer recurse', async () => {
    const proto = JSON.parse('{"control":"RM-CHG-001","__proto__":{"reason":"x"}}');
    expect(await message(proto, RequestExceptionDto, 'body')).toBe(
      'the request body may not contain the key "__proto__" (at body.__proto__)',
    );
    // A query parsed into a null-prototype object can carry any key.
    const query = Object.assign(Object.create(null), { status: 'open', constructor: 'x' });
    expect(await message(query, FindingsQueryDto, 'query')).toBe(
      'the query string may not contain the key "constructor" (at query.constructor)',
    );
    const deep = JSON.parse(`{"reason":${'['.repeat(5_000)}${']'.repeat(5_000)}}`);
    expect(await message(deep, RequestExceptionDto, 'body')).toMatch(
      /^the request body is nested more than 32 levels deep \(at body\.reason\[0\]/,
    );
  });
});
