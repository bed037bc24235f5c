import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROGRAMMES, type ProgrammeVersion } from '../src/benefits/index.ts';
import { programmeChoices } from '../web/src/pages/benefits/programme-versions.ts';

const base = DEFAULT_PROGRAMMES[0]!;
const version = (programmeId: string, effectiveFrom: string): ProgrammeVersion => ({
  programmeId,
  effectiveFrom,
  definition: base.definition,
});

describe('the benefits page’s programme menu', () => {
  const versions = [
    version('b', '2024-01-01'),
    version('a', '2020-01-01'),
    version('a', '2027-01-01'),
    version('a', '2025-07-01'),
  ];

  it('offers each programme once with the version in force on the day, in any order the list comes', () => {
    const choices = programmeChoices(versions, '2025-12-31');
    assert.deepEqual(
      choices.map((c) => [c.programmeId, c.version.effectiveFrom, c.inForce, c.next?.effectiveFrom]),
      [
        ['a', '2025-07-01', true, '2027-01-01'],
        ['b', '2024-01-01', true, undefined],
      ],
    );
  });

  it('takes a version from its first day on, and the day before keeps the older one', () => {
    const [onDay] = programmeChoices(versions, '2025-07-01');
    assert.equal(onDay!.version.effectiveFrom, '2025-07-01');
    const [dayBefore] = programmeChoices(versions, '2025-06-30');
    assert.equal(dayBefore!.version.effectiveFrom, '2020-01-01');
    assert.equal(dayBefore!.next?.effectiveFrom, '2025-07-01', 'the next one, not the newest');
  });

  it('offers a programme not yet in force with its first version, marked as such', () => {
    const b = programmeChoices(versions, '2023-12-31').find((c) => c.programmeId === 'b')!;
    assert.equal(b.inForce, false);
    assert.equal(b.version.effectiveFrom, '2024-01-01');
    assert.equal(b.next, undefined, 'the version offered is not also its own successor');
  });
});
