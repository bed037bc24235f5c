/**
 * The response schema of a list route: `{ items: [...] }`, each item as `item` describes. One
 * place for the envelope, so a list route states only what its items are.
 */
export function itemsResponse<Item extends object>(item: Item) {
  return { type: 'object', properties: { items: { type: 'array', items: item } } } as const;
}
