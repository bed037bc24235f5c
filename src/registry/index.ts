/** The registry's public surface: commands change the record, queries read it. */

export { CORRECTABLE_FIELDS, correctPerson } from './commands/correct-person.ts';
export { createHousehold } from './commands/create-household.ts';
export { registerBirth } from './commands/register-birth.ts';
export { registerDeath } from './commands/register-death.ts';
export { registerDivorce, registerMarriage } from './commands/register-marriage.ts';
export { changeResidence, registerMoveIn, registerMoveOut } from './commands/register-move.ts';
export { voidEvent, voidPerson } from './commands/void-record.ts';
export type { Actor, CommandContext } from './context.ts';
export { getPersonAsOf, getPersonDetail, getPersonHistory, toPersonView } from './queries/get-person.ts';
export {
  type MigrationRow,
  migrationBetween,
  type PopulationChange,
  type PopulationChangeRow,
  populationChangesBetween,
} from './queries/migration.ts';
export { BASIS_TYPES, type PopulationBasis, populationOn, totalOf } from './queries/population.ts';
export { findRecordsBegin } from './queries/records-begin.ts';
export { type SearchPersonsInput, searchPersons } from './queries/search-persons.ts';
