/**
 * The side menu's entries for the pages a user may open (pure: the layout adds icons and words).
 *
 * An area with two or more menu pages is a sub-menu named after the area (统计报表 → 报告与报表,
 * 人口预测). An area with a single one is that page's entry, named after the page: a statistician,
 * who may not generate reports, sees 人口预测 — not 统计报表 opening the projection. Which pages an
 * area shows depends on the user's rights, so the same area is a sub-menu for one role and a single
 * entry for another; either way each entry says which page it opens.
 */

export type MenuTitle = readonly [zh: string, en: string];

export interface MenuPage {
  path: string;
  /** Menu label; pages without one are reached by links only. */
  title?: MenuTitle;
}

export interface MenuArea {
  key: string;
  pages: readonly MenuPage[];
}

type PageOf<A extends MenuArea> = A['pages'][number];

export type MenuEntry<A extends MenuArea> =
  /** One page, opened by the entry (keyed by its path), named after the page. */
  | { kind: 'page'; key: string; area: A; page: PageOf<A>; title: MenuTitle }
  /** A sub-menu (keyed by the area), named after the area, with its pages under it. */
  | { kind: 'area'; key: string; area: A; pages: { page: PageOf<A>; title: MenuTitle }[] };

/** The menu's entries, in the areas' order, for the pages `shown` lets through. */
export function buildMenu<A extends MenuArea>(
  areas: readonly A[],
  shown: (page: PageOf<A>) => boolean,
): MenuEntry<A>[] {
  const entries: MenuEntry<A>[] = [];
  for (const area of areas) {
    const pages = area.pages.flatMap((page) =>
      page.title !== undefined && shown(page) ? [{ page, title: page.title }] : [],
    );
    if (pages.length === 0) continue;
    if (pages.length === 1) entries.push({ kind: 'page', key: pages[0]!.page.path, area, ...pages[0]! });
    else entries.push({ kind: 'area', key: area.key, area, pages });
  }
  return entries;
}
