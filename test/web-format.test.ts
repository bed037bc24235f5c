import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatValue, intervalText } from '../web/src/format.ts';
import { gapText } from '../web/src/pages/linkage/official-gap.ts';

describe('the web app’s number formats', () => {
  it('shows an interval only when both bounds are known (the server sends null bounds where there is no exposure)', () => {
    assert.equal(intervalText({ lower: 1.234, upper: 5.678 }, 'permille', 'zh-CN'), ' (95% 1.23‰ – 5.68‰)');
    assert.equal(intervalText({ lower: null, upper: null }, 'permille', 'zh-CN'), '');
    assert.equal(intervalText({ lower: 2, upper: null }, 'count', 'en'), '');
    assert.equal(intervalText(null, 'count', 'en'), '');
    assert.equal(formatValue(null, 'count', 'en'), '—');
  });

  it('shows the audits’ and quality rates’ percent intervals with a bound of 0, and none when only the lower is null', () => {
    assert.equal(intervalText({ lower: 0, upper: 12.345 }, 'percent', 'en'), ' (95% 0.0% – 12.3%)');
    assert.equal(intervalText({ lower: null, upper: 99 }, 'percent', 'zh-CN'), '');
    assert.equal(intervalText(undefined, 'percent', 'zh-CN'), '');
    // The completeness page passes a row's own lower/upper (counts), rounded like the estimate.
    assert.equal(intervalText({ lower: 1234.4, upper: 1301.6 }, 'count', 'en'), ' (95% 1,234 – 1,302)');
  });

  it('says a count against the statistics bureau’s figure as fewer or more, with its share of the figure', () => {
    // gap = official − count, as the server sends it.
    assert.equal(gapText(12, 296, 'zh-CN'), '少 12（4.1%）');
    assert.equal(gapText(-3, 296, 'zh-CN'), '多 3（1.0%）');
    assert.equal(gapText(1234, 20_000, 'en'), '1,234 fewer (6.2%)');
    assert.equal(gapText(-3, 296, 'en'), '3 more (1.0%)');
    assert.equal(gapText(0.2, 296, 'zh-CN'), '持平', 'an estimate within half a birth of the figure');
    assert.equal(gapText(0, 296, 'en'), 'same');
    assert.equal(gapText(null, 296, 'zh-CN'), '—', 'no estimate');
    assert.equal(gapText(-5, 0, 'zh-CN'), '多 5', 'no share of an official figure of 0');
  });
});
