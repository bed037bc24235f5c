import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, ageOn } from '../domain/dates.ts';
import { ageOnDay, compactDateOf, dateOf, dayFromDate, dayOf } from './calendar.ts';
import { Rng } from './rng.ts';

describe('day numbers', () => {
  it('agree with the domain date rules for ages and dates', () => {
    const rng = new Rng(1, 'calendar');
    for (let i = 0; i < 2000; i++) {
      const birth = dayOf(1900, 1, 1) + rng.int(45_000);
      const day = birth + rng.int(40_000);
      assert.equal(dayFromDate(dateOf(birth)), birth);
      assert.equal(
        ageOnDay(birth, day),
        ageOn(dateOf(birth), dateOf(day)),
        `${dateOf(birth)} on ${dateOf(day)}`,
      );
      assert.equal(dateOf(day), addDays(dateOf(birth), day - birth));
    }
    assert.equal(
      ageOnDay(dayOf(2000, 2, 29), dayOf(2001, 2, 28)),
      0,
      '29 February birthdays come on 1 March',
    );
    assert.equal(ageOnDay(dayOf(2000, 2, 29), dayOf(2001, 3, 1)), 1);
    assert.equal(compactDateOf(dayOf(1987, 10, 18)), '19871018');
  });
});
