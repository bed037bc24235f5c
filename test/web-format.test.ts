import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatValue, intervalText } from '../web/src/format.ts';

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
});
