/**
 * Groups rows by a key, appending in place: the `[...(map.get(k) ?? []), x]` idiom copies the
 * whole group on every row, which is quadratic on the groups that matter (all deployments of one
 * connector when relinking a million of them).
 */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const group = map.get(key);
  if (group) group.push(value);
  else map.set(key, [value]);
}

export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) pushTo(out, key(item), item);
  return out;
}
