/**
 * Marks config fields that hold secrets. The hub redacts their resolved values, by value, from every
 * log line, error, API answer, report and ledger entry.
 */
import 'reflect-metadata';

const SECRET_FIELDS = Symbol.for('audit-hub:secret-fields');

export function Secret(): PropertyDecorator {
  return (target, propertyKey) => {
    const existing: string[] = Reflect.getMetadata(SECRET_FIELDS, target.constructor) ?? [];
    Reflect.defineMetadata(SECRET_FIELDS, [...existing, String(propertyKey)], target.constructor);
  };
}

/** The secret field names of a config class (own and inherited). */
export function secretFields(cls: Function | undefined): string[] {
  if (!cls) return [];
  return (Reflect.getMetadata(SECRET_FIELDS, cls) as string[] | undefined) ?? [];
}
