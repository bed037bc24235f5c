import { Spin } from 'antd';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { apiGet } from './api.ts';
import { useAuth } from './auth.tsx';
import type { CountyWithDataYear, OrgTreeUnit } from './types.ts';

/** A unit with its children, for the unit picker. */
export interface OrgNode extends OrgTreeUnit {
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
  counties: CountyWithDataYear[];
  /**
   * The units the user may pick: signed in, each of their roles' units with everything below it;
   * otherwise each loaded county with its townships and villages (141 units for 华亭市).
   */
  tree: OrgNode[];
  /** A unit's name by code ('' while the tree loads; the code itself if unknown). */
  nameOf(code: string | null | undefined): string;
}

/** The loaded counties with their townships and villages, from one request (GET /api/org-tree). */
async function loadTree(): Promise<OrgNode[]> {
  const { items } = await apiGet<{ items: OrgTreeUnit[] }>('/api/org-tree');
  const nodes = new Map(items.map((unit) => [unit.code, { ...unit, children: [] as OrgNode[] }]));
  const roots: OrgNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentCode ? nodes.get(node.parentCode) : undefined;
    if (parent && node.level !== 'county') parent.children.push(node);
    else if (node.level === 'county') roots.push(node);
  }
  return roots;
}

/**
 * The part of the tree a user works in: each of their roles' units with everything below it
 * (a county administrator keeps the whole county; a township worker sees their township and its
 * villages). Units inside another own unit are not repeated.
 */
export function ownSubtrees(tree: OrgNode[], own: string[]): OrgNode[] {
  if (own.length === 0) return tree;
  const tops = own.filter((code) => !own.some((other) => other !== code && code.startsWith(other)));
  const found: OrgNode[] = [];
  const visit = (node: OrgNode) => {
    // Codes nest (620881 ⊃ 620881100 ⊃ 620881100001): a role above the county covers it all.
    if (tops.some((code) => node.code.startsWith(code))) found.push(node);
    else for (const child of node.children) visit(child);
  };
  for (const root of tree) visit(root);
  return found;
}

const TREE_KEY = 'renkou.orgTree';
const TREE_MAX_AGE_MS = 3_600_000;
/** Bumped when the cached tree's shape changes. */
const TREE_VERSION = 2;

/** The unit a page starts on: the remembered one if it is under the user's units, else their first. */
export function initialUnit(ownUnits: string[]): string | undefined {
  const remembered = localStorage.getItem('renkou.unit') ?? undefined;
  if (ownUnits.length === 0) return remembered;
  return remembered && ownUnits.some((code) => remembered.startsWith(code)) ? remembered : ownUnits[0];
}

/** The loaded counties (GET /api/org-units), each with the latest year that has data. */
async function fetchCounties(): Promise<CountyWithDataYear[]> {
  return (await apiGet<{ items: CountyWithDataYear[] }>('/api/org-units')).items;
}

/**
 * The loaded counties, asked for as soon as the app's code runs, alongside who the user is
 * (auth.tsx), so that the dashboard knows its period as early as its unit. Undefined when that
 * first request failed (signed out: 401); the provider then asks again.
 */
let earlyCounties: Promise<CountyWithDataYear[] | undefined> | undefined = fetchCounties().catch(
  () => undefined,
);
export const initialCounties: Promise<CountyWithDataYear[] | undefined> = earlyCounties;

/** The first load's counties once, then a fresh request (a later sign-in, another user). */
function takeCounties(): Promise<CountyWithDataYear[]> {
  const early = earlyCounties;
  earlyCounties = undefined;
  return (early ?? Promise.resolve(undefined)).then((items) => items ?? fetchCounties());
}

/** The period the user picked, remembered in the browser. */
function pickedPeriod(): string | undefined {
  return localStorage.getItem('renkou.period') ?? undefined;
}

/**
 * The period a unit opens on when the user has not picked one: the latest year with data of its
 * county (of its counties, above county level), which the server caps at this year and gives this
 * year only from 1 February on — so a county whose records end last year, or whose year has only
 * begun, does not open on an (almost) empty year. This year when there is no data.
 */
export function defaultPeriod(unit: string | undefined, counties: CountyWithDataYear[]): string {
  const years = counties
    .filter((county) => unit && (county.code.startsWith(unit) || unit.startsWith(county.code)))
    .map((county) => county.latestDataYear)
    .filter((year): year is number => typeof year === 'number');
  return String(years.length > 0 ? Math.max(...years) : new Date().getFullYear());
}

/** The period a page starts on for a unit: the one the user picked, else the unit's default. */
export async function initialPeriod(unit: string): Promise<string> {
  return pickedPeriod() ?? defaultPeriod(unit, (await initialCounties) ?? []);
}

const SelectionContext = createContext<Selection | undefined>(undefined);

export function SelectionProvider({ children }: { children: ReactNode }) {
  const { auth } = useAuth();
  const ownUnits = auth.state === 'signed-in' ? auth.user.roles.map((role) => role.unit) : [];
  const ownKey = ownUnits.join();
  const [counties, setCounties] = useState<CountyWithDataYear[]>();
  const [fullTree, setFullTree] = useState<OrgNode[]>([]);
  // Signed in, the first visit starts at the user's own unit at once (no wait for the tree).
  const [unit, setUnitState] = useState<string | undefined>(() => initialUnit(ownUnits));
  // Undefined until the counties say which year has data (unless the user picked a period).
  const [period, setPeriodState] = useState<string | undefined>(pickedPeriod);
  useEffect(() => {
    takeCounties().then(
      (items) => {
        setCounties(items);
        const own = ownKey ? ownKey.split(',') : [];
        setUnitState((current) => {
          if (own.length) return current && own.some((code) => current.startsWith(code)) ? current : own[0];
          return current && items.some((county) => current.startsWith(county.code))
            ? current
            : items[0]?.code;
        });
      },
      () => setCounties([]),
    );
    // The tree changes rarely (a redistricting a year): the browser keeps it for an hour and
    // refreshes it in the background after that.
    const cached = JSON.parse(localStorage.getItem(TREE_KEY) ?? 'null') as {
      at: number;
      version?: number;
      tree: OrgNode[];
    } | null;
    const usable = cached?.version === TREE_VERSION ? cached : null;
    if (usable) {
      setFullTree(usable.tree);
      if (Date.now() - usable.at < TREE_MAX_AGE_MS) return;
    }
    loadTree().then((fresh) => {
      localStorage.setItem(TREE_KEY, JSON.stringify({ at: Date.now(), version: TREE_VERSION, tree: fresh }));
      setFullTree(fresh);
    });
  }, [ownKey]);
  useEffect(() => {
    if (period === undefined && counties) setPeriodState(defaultPeriod(unit, counties));
  }, [period, counties, unit]);
  // The picker offers only the user's own units and what lies below them.
  const tree = useMemo(() => ownSubtrees(fullTree, ownKey ? ownKey.split(',') : []), [fullTree, ownKey]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    const visit = (node: OrgNode) => {
      map.set(node.code, node.name);
      for (const child of node.children) visit(child);
    };
    for (const root of fullTree) visit(root);
    return map;
  }, [fullTree]);
  const value = useMemo<Selection>(
    () => ({
      unit,
      setUnit(code) {
        localStorage.setItem('renkou.unit', code);
        setUnitState(code);
      },
      period: period ?? '',
      setPeriod(next) {
        localStorage.setItem('renkou.period', next);
        setPeriodState(next);
      },
      counties: counties ?? [],
      tree,
      nameOf: (code) => (code ? (names.get(code) ?? (names.size ? code : '')) : '—'),
    }),
    [unit, period, counties, tree, names],
  );
  // Pages wait for the period (a moment on a first visit: the counties were asked for at load).
  if (period === undefined) return <Spin fullscreen />;
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function useSelection(): Selection {
  const value = useContext(SelectionContext);
  if (!value) throw new Error('useSelection outside SelectionProvider');
  return value;
}
