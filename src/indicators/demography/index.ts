/** The demography module: pure functions for life tables, fertility, age structure and projection. */
export * from './age-groups.ts';
export * from './age-structure.ts';
export * from './csv-input.ts';
export * from './fertility.ts';
export * from './life-table.ts';
export * from './projection.ts';
export * from './projection-input.ts';
export * from './pyramid.ts';
