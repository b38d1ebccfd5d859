/**
 * Validates query strings and bodies against their DTO classes: unknown fields are refused (not
 * silently dropped), every message names the parameter, what it must be and what was sent.
 *
 * Before Nest's pipe sees a value, its shape is checked without recursion (body-shape.ts): too
 * deep a value would overflow the stack in Nest's recursive `stripProtoKeys` and in
 * class-transformer, and a `__proto__`, `constructor` or `prototype` key is refused by name —
 * Nest would drop it silently, and class-transformer, left to it, would make `__proto__` the
 * DTO's prototype. The serve app checks bodies already when it parses them (body-parsing.ts);
 * this covers queries, and any app built without those parsers.
 */
import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, type ValidationError } from 'class-validator';
import { shapeProblem } from './body-shape';

class ValidationFailed extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('validation failed');
  }
}

const WHERE: Record<string, string> = {
  query: 'query parameter',
  body: 'body field',
  param: 'path parameter',
};

/** What the shape check covers: values a client sent (custom decorators give the hub's own objects). */
const WHOLE: Record<string, string> = {
  query: 'the query string',
  body: 'the request body',
};

/** Property names a DTO class declares (what may be sent). */
function allowedFields(target: object | undefined): string[] {
  if (!target) return [];
  const metas = getMetadataStorage().getTargetValidationMetadatas(
    (target as { constructor: new () => unknown }).constructor,
    '',
    true,
    false,
  );
  return [...new Set(metas.map((m) => m.propertyName))].sort();
}

function describe(errors: ValidationError[], where: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const name = `${prefix}${e.property}`;
    const constraints = e.constraints ?? {};
    if (constraints.whitelistValidation) {
      const allowed = allowedFields(e.target);
      out.push(
        `${where} "${name}" is not allowed${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (this request takes none)'}`,
      );
      continue;
    }
    const messages = Object.values(constraints);
    if (messages.length) {
      const sent = e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`;
      out.push(`${where} ${name}: ${messages.join('; ')}${sent}`);
    }
    if (e.children?.length) out.push(...describe(e.children, where, `${name}.`));
  }
  return out;
}

@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: false,
      validationError: { target: true, value: true },
      exceptionFactory: (errors) => new ValidationFailed(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A POST without a JSON body validates as an empty one.
    const input = metadata.type === 'body' && (value === undefined || value === null) ? {} : value;
    if (metadata.type === 'body' && (typeof input !== 'object' || Array.isArray(input)))
      throw new BadRequestException('the request body must be a JSON object');
    const problem = WHOLE[metadata.type] && shapeProblem(input, WHOLE[metadata.type], metadata.type);
    if (problem) throw new BadRequestException(problem);
    try {
      return await super.transform(input, metadata);
    } catch (err) {
      if (err instanceof ValidationFailed)
        throw new BadRequestException(describe(err.errors, WHERE[metadata.type] ?? 'field').join('; '));
      throw err;
    }
  }
}
