import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { apiGet } from './api.ts';
import { useAuth } from './auth.tsx';
import type { OrgUnit, OrgUnitFamily } from './types.ts';

/** A unit with its children, for the unit picker. */
export interface OrgNode extends OrgUnit {
  children: OrgNode[];
}

/**
 * The unit and period every page works on, chosen in the header and remembered in the browser.
 * Signed in, the picker starts at the user's own unit (the unit of their first role) whenever the
 * remembered unit is not under one of their roles' units.
 */

export interface Selection {
  unit: string | undefined;
  setUnit(code: string): void;
  period: string;
  setPeriod(period: string): void;
  counties: OrgUnit[];
  /** Each loaded county with its townships and villages (141 units for 华亭市). */
  tree: OrgNode[];
  /** A unit's name by code ('' while the tree loads; the code itself if unknown). */
  nameOf(code: string | null | undefined): string;
}

/** Loads a county's townships and villages: one request for the county, one per township. */
async function loadCountyTree(county: OrgUnit): Promise<OrgNode> {
  const family = await apiGet<OrgUnitFamily>(`/api/org-units/${county.code}`);
  const townships = await Promise.all(
    family.children.map(async (township) => {
      const t = await apiGet<OrgUnitFamily>(`/api/org-units/${township.code}`);
      return { ...township, children: t.children.map((v) => ({ ...v, children: [] })) };
    }),
  );
  return { ...county, children: townships };
}

const TREE_KEY = 'renkou.orgTree';
const TREE_MAX_AGE_MS = 3_600_000;

const SelectionContext = createContext<Selection | undefined>(undefined);

export function SelectionProvider({ children }: { children: ReactNode }) {
  const { auth } = useAuth();
  const ownUnits = auth.state === 'signed-in' ? auth.user.roles.map((role) => role.unit) : [];
  const ownKey = ownUnits.join();
  const [counties, setCounties] = useState<OrgUnit[]>([]);
  const [tree, setTree] = useState<OrgNode[]>([]);
  const [unit, setUnitState] = useState<string | undefined>(
    () => localStorage.getItem('renkou.unit') ?? undefined,
  );
  const [period, setPeriodState] = useState<string>(
    () => localStorage.getItem('renkou.period') ?? String(new Date().getFullYear()),
  );
  useEffect(() => {
    apiGet<{ items: OrgUnit[] }>('/api/org-units').then(({ items }) => {
      setCounties(items);
      const own = ownKey ? ownKey.split(',') : [];
      setUnitState((current) => {
        if (own.length) return current && own.some((code) => current.startsWith(code)) ? current : own[0];
        return current && items.some((county) => current.startsWith(county.code)) ? current : items[0]?.code;
      });
      // The tree changes rarely (a redistricting a year): the browser keeps it for an hour,
      // which spares the dashboard a dozen requests on every visit.
      const cached = JSON.parse(localStorage.getItem(TREE_KEY) ?? 'null') as {
        at: number;
        counties: string;
        tree: OrgNode[];
      } | null;
      const counties = items.map((county) => county.code).join();
      if (cached && cached.counties === counties) {
        setTree(cached.tree);
        if (Date.now() - cached.at < TREE_MAX_AGE_MS) return;
      }
      return Promise.all(items.map(loadCountyTree)).then((fresh) => {
        localStorage.setItem(TREE_KEY, JSON.stringify({ at: Date.now(), counties, tree: fresh }));
        setTree(fresh);
      });
    });
  }, [ownKey]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    const visit = (node: OrgNode) => {
      map.set(node.code, node.name);
      for (const child of node.children) visit(child);
    };
    for (const root of tree) visit(root);
    return map;
  }, [tree]);
  const value = useMemo<Selection>(
    () => ({
      unit,
      setUnit(code) {
        localStorage.setItem('renkou.unit', code);
        setUnitState(code);
      },
      period,
      setPeriod(next) {
        localStorage.setItem('renkou.period', next);
        setPeriodState(next);
      },
      counties,
      tree,
      nameOf: (code) => (code ? (names.get(code) ?? (names.size ? code : '')) : '—'),
    }),
    [unit, period, counties, tree, names],
  );
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function useSelection(): Selection {
  const value = useContext(SelectionContext);
  if (!value) throw new Error('useSelection outside SelectionProvider');
  return value;
}
