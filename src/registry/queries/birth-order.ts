/**
 * A person's birth order as SQL over the person row aliased `p`: as recorded (a birth registered
 * through renkou numbers the child among the mother's children then, registerBirth), else — a
 * person import brings no birth order — the child's rank among the mother's children in the
 * registry by birth date (twins by record, as registering them one after the other would). null
 * when neither is known (no mother in the registry). An index probe per person
 * (person_mother_idx), evaluated only for a person without a recorded order.
 */
export function birthOrderSql(p: string): string {
  return `coalesce(${p}.birth_order, CASE WHEN ${p}.mother_id IS NOT NULL THEN (
    SELECT count(*)::int FROM person sib
     WHERE sib.county_code = ${p}.county_code AND sib.mother_id = ${p}.mother_id
       AND sib.status NOT IN ('voided', 'merged')
       AND (sib.birth_date, sib.id) <= (${p}.birth_date, ${p}.id)) END)`;
}
