import type { ApiRequest, ApiResponse } from './http.types';
import { bodyRefusal, BodyRefusalMiddleware, jsonSyntaxReason, RequestBodyRefused } from './body-parsing';

/** An error as body-parser (http-errors) makes them. */
const parserError = (type: string, status: number, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { type, status, statusCode: status, expose: status < 500, ...extra });

describe('bodyRefusal', () => {
  it('answers a body over the limit with 413, in a sentence, with or without Content-Length', () => {
    const known = bodyRefusal(
      parserError('entity.too.large', 413, 'request entity too large', { length: 2_097_160, limit: 102_400 }),
    );
    expect(known).toBeInstanceOf(RequestBodyRefused);
    expect(known!.getStatus()).toBe(413);
    expect(known!.reason).toBe('entity.too.large');
    expect(known!.message).toBe('the request body is 2097160 bytes; at most 102400 are accepted');
    const chunked = bodyRefusal(
      parserError('entity.too.large', 413, 'request entity too large', { limit: 102_400 }),
    );
    expect(chunked!.message).toBe('the request body is larger than the 102400 bytes accepted');
  });

  it('maps the other refusals of body-parser to 400, 413 and 415', () => {
    const cases: [Error, number, RegExp][] = [
      [parserError('parameters.too.many', 413, 'too many parameters'), 413, /too many form parameters/],
      [
        parserError('entity.parse.failed', 400, 'Unexpected end of JSON input'),
        400,
        /^the request body is not valid JSON: Unexpected end of JSON input$/,
      ],
      [
        parserError('encoding.unsupported', 415, 'unsupported content encoding "zstd"', { encoding: 'zstd' }),
        415,
        /Content-Encoding "zstd" is not supported/,
      ],
      [
        parserError('charset.unsupported', 415, 'unsupported charset "LATIN-9"', { charset: 'latin-9' }),
        415,
        /charset "latin-9" is not supported/,
      ],
      [parserError('request.aborted', 400, 'request aborted'), 400, /ended before it was complete/],
      [
        parserError('request.size.invalid', 400, 'request size did not match content length'),
        400,
        /does not match its Content-Length/,
      ],
      [parserError('some.future.type', 422, 'a message for the client'), 422, /^a message for the client$/],
    ];
    for (const [err, status, message] of cases) {
      const refused = bodyRefusal(err)!;
      expect({ status: refused.getStatus(), message: refused.message }).toEqual({
        status,
        message: expect.stringMatching(message),
      });
    }
  });

  it('leaves faults of the server and other errors alone', () => {
    expect(
      bodyRefusal(parserError('stream.encoding.set', 500, 'stream encoding should not be set')),
    ).toBeUndefined();
    expect(bodyRefusal(new Error('boom'))).toBeUndefined();
    expect(bodyRefusal(new SyntaxError('Unexpected token'))).toBeUndefined();
    expect(bodyRefusal('text')).toBeUndefined();
    const refused = new RequestBodyRefused(400, 'nested too deep', 'entity.shape.refused');
    expect(bodyRefusal(refused)).toBe(refused);
  });

  it('never repeats the body in the message (V8 quotes the input in its JSON errors)', () => {
    const token = 'ahk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    let v8Message = '';
    try {
      JSON.parse(`{"token": ${token}}`);
    } catch (err) {
      v8Message = (err as Error).message;
    }
    expect(v8Message).toContain('ahk_');
    const refused = bodyRefusal(parserError('entity.parse.failed', 400, v8Message))!;
    expect(refused.message).toBe("the request body is not valid JSON: Unexpected token 'a'");
    expect(refused.message).not.toContain('ahk_');
  });
});

describe('jsonSyntaxReason', () => {
  it.each([
    ['Unexpected end of JSON input', 'Unexpected end of JSON input'],
    [
      'Expected double-quoted property name in JSON at position 7',
      'Expected double-quoted property name in JSON at position 7',
    ],
    [`Unexpected token 'x', "{"secret": x-1"... is not valid JSON`, "Unexpected token 'x'"],
    [`Unexpected token '"', ""hunter2"" is not valid JSON`, 'unexpected input'],
    ['"[object Object]" is not valid JSON', 'unexpected input'],
    [`Unexpected token 'b', ..."a": 1, b: "s"... is not valid JSON`, "Unexpected token 'b'"],
  ])('%s → %s', (message, reason) => {
    expect(jsonSyntaxReason(message)).toBe(reason);
  });
});

describe('BodyRefusalMiddleware', () => {
  it('answers the refusal kept on the request, and lets other requests through', () => {
    const middleware = new BodyRefusalMiddleware();
    const refused = new RequestBodyRefused(413, 'too large', 'entity.too.large');
    const passed: unknown[] = [];
    middleware.use({ bodyRefused: refused } as unknown as ApiRequest, {} as ApiResponse, (err) =>
      passed.push(err),
    );
    middleware.use({} as ApiRequest, {} as ApiResponse, (err) => passed.push(err));
    expect(passed).toEqual([refused, undefined]);
  });
});
