/**
 * Places a department's address or issuing unit on the county's villages and townships by name:
 * "东华街道东华社区3组" → the 东华社区 of 东华街道, "华亭市公安局西华镇派出所" → 西华镇. Pure: the
 * units come from the database once per batch.
 */

export interface PlaceUnit {
  code: string;
  name: string;
  short_name: string;
  level: string;
  parent_code: string | null;
}

export interface PlaceResolver {
  /** The village (12 digits) or township (9 digits) a text names, or null when none fits. */
  place(value: string | null | undefined): string | null;
}

/** A township's name without its kind, for texts like "西华派出所": 西华镇 → 西华. */
function coreName(name: string): string {
  return name.replace(/(街道办事处|街道|镇|乡|民族乡)$/, '');
}

export function createPlaceResolver(
  units: readonly PlaceUnit[],
  countyNames: readonly string[] = [],
): PlaceResolver {
  const townships = units.filter((u) => u.level === 'township');
  const townshipByCode = new Map(townships.map((t) => [t.code, t]));
  // Each village under every spelling an address may give it, longest first so 东华社区 wins over 东华.
  const villageKeys: [string, string][] = [];
  const villageNameCount = new Map<string, number>();
  for (const v of units) {
    if (v.level !== 'village') continue;
    for (const n of new Set([v.name, v.short_name]))
      villageNameCount.set(n, (villageNameCount.get(n) ?? 0) + 1);
  }
  for (const v of units) {
    if (v.level !== 'village') continue;
    const t = v.parent_code ? townshipByCode.get(v.parent_code) : undefined;
    const keys = new Set<string>();
    for (const vn of [v.name, v.short_name]) {
      if (t) for (const tn of [t.name, t.short_name, coreName(t.short_name)]) keys.add(tn + vn);
      // A village name alone places the address only when no other village has it.
      if (villageNameCount.get(vn) === 1) keys.add(vn);
    }
    for (const key of keys) if (key.length >= 2) villageKeys.push([key, v.code]);
  }
  villageKeys.sort((a, b) => b[0].length - a[0].length);
  const townshipKeys: [string, string][] = [];
  for (const t of townships) {
    for (const key of new Set([t.name, t.short_name, coreName(t.short_name)])) {
      if (key.length >= 2) townshipKeys.push([key, t.code]);
    }
  }
  townshipKeys.sort((a, b) => b[0].length - a[0].length);
  const prefixes = [...countyNames].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  const cache = new Map<string, string | null>();

  const resolve = (raw: string): string | null => {
    let value = raw.replace(/\s+/g, '');
    // Drop the province, prefecture and county names an address may start with.
    for (let changed = true; changed; ) {
      changed = false;
      for (const prefix of prefixes) {
        if (value.startsWith(prefix)) {
          value = value.slice(prefix.length);
          changed = true;
        }
      }
    }
    for (const [key, code] of villageKeys) if (value.includes(key)) return code;
    for (const [key, code] of townshipKeys) if (value.includes(key)) return code;
    return null;
  };

  return {
    place(value) {
      if (value === null || value === undefined) return null;
      const trimmed = value.trim();
      if (trimmed === '') return null;
      let code = cache.get(trimmed);
      if (code === undefined) {
        code = resolve(trimmed);
        cache.set(trimmed, code);
      }
      return code;
    },
  };
}
