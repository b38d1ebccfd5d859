/** A safe of a safe list, in any generation's shape (Gen2 `safeName`/`safeUrlId`, 11.x `SafeName`). */
import { field, isObject, text } from './cyberark-field.reader';
import type { SafeRef } from './cyberark.types';

/** The safe, or the reason the item is not one. */
export function toSafeRef(item: unknown): SafeRef | { problem: string } {
  if (!isObject(item)) return { problem: 'a safe is not a JSON object' };
  const safeName = text(item, 'safeName');
  if (!safeName) return { problem: 'a safe has no safeName' };
  const safeNumber = field(item, 'safeNumber');
  return {
    safeName,
    safeUrlId: text(item, 'safeUrlId') ?? safeName,
    ...(typeof safeNumber === 'number' ? { safeNumber } : {}),
  };
}
