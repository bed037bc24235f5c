import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROGRAMMES, type ProgrammeVersion } from '../src/benefits/index.ts';
import { versionForPeriod } from '../src/benefits/version-for-period.ts';
import { programmeChoices } from '../web/src/pages/benefits/programme-versions.ts';

const base = DEFAULT_PROGRAMMES[0]!;
const version = (programmeId: string, effectiveFrom: string): ProgrammeVersion => ({
  programmeId,
  effectiveFrom,
  definition: base.definition,
});

const year = (y: number) => ({ start: `${y}-01-01`, end: `${y}-12-31` });
const day = (d: string) => ({ start: d, end: d });

describe('the version a period is judged by (versionForPeriod)', () => {
  const list = [
    { effectiveFrom: '2025-07-01' },
    { effectiveFrom: '2020-01-01' },
    { effectiveFrom: '2027-01-01' },
  ];

  it('is the version in force on the first day: one starting within the period applies from the next', () => {
    assert.equal(versionForPeriod(list, year(2025))?.effectiveFrom, '2020-01-01');
    assert.equal(
      versionForPeriod(list, { start: '2025-07-01', end: '2025-12-31' })?.effectiveFrom,
      '2025-07-01',
    );
    assert.equal(versionForPeriod(list, year(2026))?.effectiveFrom, '2025-07-01');
  });

  it('is the first version when the programme starts within the period, and none when it starts later', () => {
    const fresh = [{ effectiveFrom: '2025-09-01' }, { effectiveFrom: '2025-11-01' }];
    assert.equal(versionForPeriod(fresh, year(2025))?.effectiveFrom, '2025-09-01');
    assert.equal(versionForPeriod(fresh, year(2024)), undefined);
    assert.equal(versionForPeriod(fresh, day('2025-08-31')), undefined);
  });
});

describe('the benefits page’s programme menu', () => {
  const versions = [
    version('b', '2024-01-01'),
    version('a', '2020-01-01'),
    version('a', '2027-01-01'),
    version('a', '2025-07-01'),
  ];

  it('offers each programme once with the version the period is judged by, in any order the list comes', () => {
    const choices = programmeChoices(versions, { start: '2025-07-01', end: '2025-12-31' });
    assert.deepEqual(
      choices.map((c) => [c.programmeId, c.version.effectiveFrom, c.inForce, c.next?.effectiveFrom]),
      [
        ['a', '2025-07-01', true, '2027-01-01'],
        ['b', '2024-01-01', true, undefined],
      ],
    );
  });

  it('judges a period by the version of its first day, and says a newer one starts within it', () => {
    const [whole] = programmeChoices(versions, year(2025));
    assert.equal(whole!.version.effectiveFrom, '2020-01-01');
    assert.equal(whole!.next?.effectiveFrom, '2025-07-01', 'the next one, not the newest');
    const [dayBefore] = programmeChoices(versions, day('2025-06-30'));
    assert.equal(dayBefore!.version.effectiveFrom, '2020-01-01');
  });

  it('offers a programme not yet in force with its first version, marked as such', () => {
    const b = programmeChoices(versions, year(2023)).find((c) => c.programmeId === 'b')!;
    assert.equal(b.inForce, false);
    assert.equal(b.version.effectiveFrom, '2024-01-01');
    assert.equal(b.next, undefined, 'the version offered is not also its own successor');
  });
});
