import type { FieldIssue } from '../domain/errors.ts';
import { checkIdMatchesPerson, checkResidentId } from '../domain/resident-id.ts';

/**
 * Validates an ID number as the registry needs it: the number itself (all four parts), then its
 * agreement with the person's stated birth date and sex. Empty is allowed (a newborn without one).
 */
export function checkPersonIdNumber(
  value: unknown,
  field: string,
  person: { birthDate?: string | undefined; sex?: 'male' | 'female' | undefined },
  today: string,
): { issues: FieldIssue[]; idNumber: string | null } {
  if (value === undefined || value === null || value === '') return { issues: [], idNumber: null };
  if (typeof value !== 'string') return checkPersonIdNumber(String(value), field, person, today);
  const checked = checkResidentId(value, { field, today });
  if (!checked.ok) return { issues: checked.issues, idNumber: null };
  const issues: FieldIssue[] = [];
  // 'child.idNumber' disagrees with 'child.birthDate', not with a top-level 'birthDate'.
  const prefix = field.includes('.') ? field.slice(0, field.lastIndexOf('.') + 1) : '';
  if (person.birthDate && person.sex) {
    issues.push(
      ...checkIdMatchesPerson(
        checked.value,
        { birthDate: person.birthDate, sex: person.sex },
        { field, today, birthDateField: `${prefix}birthDate`, sexField: `${prefix}sex` },
      ),
    );
  }
  return { issues, idNumber: checked.value.number };
}
